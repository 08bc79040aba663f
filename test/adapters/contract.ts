/**
 * The contract every channel adapter passes (Telegram, WeCom, HTTP…): the
 * same cases, run against each implementation through a small harness that
 * plays the platform. Call it from a `*.test.ts` per adapter:
 *
 *   runChannelContract('telegram', async () => makeTelegramHarness());
 *
 * The harness talks to a real (or emulated) platform server; the cases only
 * see plain types, so they say what every adapter must guarantee.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Button, ChannelSender, InboundMessage, Platform } from '../../core/channel.js';

/** A message as the platform holds it after the adapter sent (or edited) it. */
export interface PlatformMessage {
  messageId: string;
  /** Text, or the caption of a photo. */
  text: string;
  /** Rows of buttons as the user sees them ([] when none). */
  buttons: Button[][];
  /** Whether it arrived as a picture (false when the adapter fell back to text). */
  photo: boolean;
}

/**
 * What the platform can do, where platforms differ. A case that needs what a
 * platform lacks checks the refusal instead (or uses the private chat), so
 * every adapter still runs the one suite. All default to true.
 */
export interface ChannelCapabilities {
  /** Members' messages in group chats reach the adapter (WeCom application group chats: no; `injectText('group')` must then reject). */
  groupInbound?: boolean;
  /** The group chat takes the adapter's messages with buttons and edits (else those cases run in the private chat). */
  groupButtons?: boolean;
  /** Rows of buttons arrive as rows (false: the platform lays buttons out itself; labels, data and order must still match). */
  buttonRows?: boolean;
  /** A message can be replaced through editMessageId. */
  edit?: boolean;
}

export interface ChannelHarness {
  readonly platform: Platform;
  readonly capabilities?: ChannelCapabilities;
  /** The chats the harness's users write from: one private chat, one group. */
  readonly chats: { private: string; group: string };
  readonly sender: ChannelSender;
  /** A user writes `text` in the chat; resolves with what then reached the sink. */
  injectText(chat: 'private' | 'group', text: string): Promise<InboundMessage>;
  /** The platform delivers the last injected update again (a retried webhook, a replayed poll). Resolves with what reached the sink. */
  redeliverLast(): Promise<InboundMessage>;
  /** A user presses the button with `data` on the adapter's message `messageId`; resolves with what reached the sink. */
  pressButton(chat: 'private' | 'group', messageId: string, data: string): Promise<InboundMessage>;
  /** The adapter's messages in the chat as the platform holds them now, oldest first, edits applied. */
  platformMessages(chatId: string): Promise<PlatformMessage[]>;
  close(): Promise<void>;
}

// A tiny valid PNG (1×1, transparent).
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export function runChannelContract(name: string, makeHarness: () => Promise<ChannelHarness>): void {
  describe(`channel contract: ${name}`, () => {
    let h: ChannelHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('turns a private text into an InboundMessage with ids, chat and text', async () => {
      const msg = await h.injectText('private', '朝阳路12号楼下污水外溢三天了');
      expect(msg.platform).toBe(h.platform);
      expect(msg.chatId).toBe(h.chats.private);
      expect(msg.chatType).toBe('private');
      expect(msg.text).toBe('朝阳路12号楼下污水外溢三天了');
      expect(msg.messageId).toMatch(/\S/);
      expect(msg.userId).toMatch(/\S/);
      expect(msg.receivedAt).toBeInstanceOf(Date);
    });

    const can = (c: keyof ChannelCapabilities) => h.capabilities?.[c] !== false;
    /** Where button, photo and edit cases send: the group when it takes buttons, else the private chat. */
    const outChat = () => (can('groupButtons') ? h.chats.group : h.chats.private);

    it('marks a group message as a group message (or refuses one the platform cannot deliver)', async () => {
      if (!can('groupInbound')) {
        await expect(h.injectText('group', '收到')).rejects.toThrow();
        return;
      }
      const msg = await h.injectText('group', '收到');
      expect(msg.chatId).toBe(h.chats.group);
      expect(msg.chatType).toBe('group');
    });

    it('gives a redelivered update the same messageId, and a new message a new one', async () => {
      const first = await h.injectText('private', '第一条');
      const again = await h.redeliverLast();
      expect(again.messageId).toBe(first.messageId);
      expect(again.text).toBe('第一条');
      const second = await h.injectText('private', '第二条');
      expect(second.messageId).not.toBe(first.messageId);
    });

    it('sends text with two rows of buttons, which arrive as sent', async () => {
      const buttons: Button[][] = [
        [
          { label: '受理', data: 'acc:2611250001' },
          { label: '退单', data: 'ret:2611250001' },
        ],
        [{ label: '进展', data: 'prog:2611250001' }],
      ];
      const res = await h.sender.send({ chatId: outChat(), text: '新工单 2611250001', buttons });
      expect(res.messageId).toMatch(/\S/);
      const held = (await h.platformMessages(outChat())).find((m) => m.messageId === res.messageId);
      expect(held?.text).toBe('新工单 2611250001');
      if (can('buttonRows')) expect(held?.buttons).toEqual(buttons);
      else expect(held?.buttons.flat()).toEqual(buttons.flat());
    });

    it('turns a button press into an action with data, ack handle and the card it belongs to', async () => {
      const card = await h.sender.send({ chatId: h.chats.private, text: '您对处理结果满意吗？', buttons: [[{ label: '满意', data: 'rate:1:s' }]] });
      const press = await h.pressButton('private', card.messageId, 'rate:1:s');
      expect(press.action?.data).toBe('rate:1:s');
      expect(press.action?.messageId).toBe(card.messageId);
      expect(press.chatId).toBe(h.chats.private);
      expect(press.messageId).toMatch(/\S/);
      if (h.sender.answerAction) {
        expect(press.action?.ackId).toMatch(/\S/);
        await expect(h.sender.answerAction(press.action!.ackId!, '已收到')).resolves.toBeUndefined();
      }
      const again = await h.redeliverLast();
      expect(again.messageId).toBe(press.messageId);
    });

    it('delivers a photo message, as a picture or as its text when the platform cannot take pictures', async () => {
      const res = await h.sender.send({ chatId: outChat(), text: '本月三率', photo: { png: PNG_1X1, filename: 'rates.png' } });
      const held = (await h.platformMessages(outChat())).find((m) => m.messageId === res.messageId);
      expect(held?.text).toBe('本月三率');
    });

    it('replaces a message when editMessageId is given', async (ctx) => {
      if (!can('edit')) return ctx.skip();
      const chat = outChat();
      const sent = await h.sender.send({ chatId: chat, text: '报到 0/3', buttons: [[{ label: '报到', data: 'rep:w1' }]] });
      const before = (await h.platformMessages(chat)).length;
      const edited = await h.sender.send({ chatId: chat, text: '报到 1/3', editMessageId: sent.messageId });
      expect(edited.messageId).toBe(sent.messageId);
      const after = await h.platformMessages(chat);
      expect(after).toHaveLength(before);
      expect(after.find((m) => m.messageId === sent.messageId)?.text).toBe('报到 1/3');
      // edited again, with buttons: still one message, still the same id, and its buttons still press
      await h.sender.send({ chatId: chat, text: '报到 2/3', buttons: [[{ label: '报到', data: 'rep:w1' }]], editMessageId: sent.messageId });
      const third = await h.platformMessages(chat);
      expect(third).toHaveLength(before);
      expect(third.find((m) => m.messageId === sent.messageId)?.text).toBe('报到 2/3');
      const press = await h.pressButton(chat === h.chats.group ? 'group' : 'private', sent.messageId, 'rep:w1');
      expect(press.action?.messageId).toBe(sent.messageId);
    });
  });
}

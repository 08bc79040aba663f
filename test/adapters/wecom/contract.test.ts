/**
 * The channel contract (test/adapters/contract.ts) for 'wecom' and
 * 'wecom_kf', through the harnesses in ./harness.ts.
 *
 * runChannelContract() itself cannot run here yet: three of its cases need
 * a group chat that delivers members' messages and holds buttons and edits,
 * and WeCom has none (application group chats are outbound-only and take no
 * buttons; 微信客服 has no groups). Until the contract lets a harness declare
 * that, this file runs the contract's remaining cases with the same
 * assertions, on the private chat. The group cases are asserted as refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Button } from '../../../adapters/types.js';
import { makeWecomHarness, makeWecomKfHarness, type WecomHarness } from './harness.js';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function runWecomContract(name: string, make: () => Promise<WecomHarness>, caps: { edit: boolean }) {
  describe(`channel contract (applicable cases): ${name}`, () => {
    let h: WecomHarness;
    beforeAll(async () => {
      h = await make();
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

    it('refuses to pretend a group message exists (the platform has none)', async () => {
      await expect(h.injectText('group', '收到')).rejects.toThrow();
    });

    it('gives a redelivered update the same messageId, and a new message a new one', async () => {
      const first = await h.injectText('private', '第一条');
      const again = await h.redeliverLast();
      expect(again.messageId).toBe(first.messageId);
      expect(again.text).toBe('第一条');
      const second = await h.injectText('private', '第二条');
      expect(second.messageId).not.toBe(first.messageId);
    });

    it('sends text with buttons, which arrive with their labels and data (WeCom lays buttons out itself: one row)', async () => {
      const buttons: Button[][] = [
        [
          { label: '受理', data: 'acc:2611250001' },
          { label: '退单', data: 'ret:2611250001' },
        ],
        [{ label: '进展', data: 'prog:2611250001' }],
      ];
      const res = await h.sender.send({ chatId: h.chats.private, text: '新工单 2611250001', buttons });
      expect(res.messageId).toMatch(/\S/);
      const held = (await h.platformMessages(h.chats.private)).find((m) => m.messageId === res.messageId);
      expect(held?.text).toBe('新工单 2611250001');
      expect(held?.buttons.flat()).toEqual(buttons.flat());
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

    it('delivers a photo message as its text (no media upload)', async () => {
      const res = await h.sender.send({ chatId: h.chats.private, text: '本月三率', photo: { png: PNG_1X1, filename: 'rates.png' } });
      const held = (await h.platformMessages(h.chats.private)).find((m) => m.messageId === res.messageId);
      expect(held?.text).toBe('本月三率');
      expect(held?.photo).toBe(false);
    });

    it.runIf(caps.edit)('replaces a message when editMessageId is given (recall + resend, same messageId)', async () => {
      const sent = await h.sender.send({ chatId: h.chats.private, text: '报到 0/3', buttons: [[{ label: '报到', data: 'rep:w1' }]] });
      const before = (await h.platformMessages(h.chats.private)).length;
      const edited = await h.sender.send({ chatId: h.chats.private, text: '报到 1/3', editMessageId: sent.messageId });
      expect(edited.messageId).toBe(sent.messageId);
      const after = await h.platformMessages(h.chats.private);
      expect(after).toHaveLength(before);
      expect(after.find((m) => m.messageId === sent.messageId)?.text).toBe('报到 1/3');
      // edited twice: still one message, still the same id
      await h.sender.send({ chatId: h.chats.private, text: '报到 2/3', buttons: [[{ label: '报到', data: 'rep:w1' }]], editMessageId: sent.messageId });
      const third = await h.platformMessages(h.chats.private);
      expect(third).toHaveLength(before);
      expect(third.find((m) => m.messageId === sent.messageId)?.text).toBe('报到 2/3');
      const press = await h.pressButton('private', sent.messageId, 'rep:w1');
      expect(press.action?.messageId).toBe(sent.messageId);
    });
  });
}

runWecomContract('wecom (application messages, local WeCom server)', makeWecomHarness, { edit: true });
runWecomContract('wecom_kf (微信客服, local WeCom server)', makeWecomKfHarness, { edit: false });

/**
 * The plain message types every channel adapter translates to and from.
 * Adapters know their platform and nothing about petitions; bots/ and core/
 * know petitions and nothing about platforms. Each adapter passes the same
 * contract suite (test/adapters/contract.ts).
 */

export type Platform = 'telegram' | 'wecom' | 'wecom_kf' | 'open311';

export interface GeoPoint {
  lat: number;
  lng: number;
  /** Telegram sends WGS-84; Chinese map services (and WeCom) use GCJ-02. */
  coordSystem: 'wgs84' | 'gcj02';
  label?: string;
}

/**
 * Evidence a person sent: a photo, voice note, video or file, named by the platform's own file id
 * (Telegram file_id, WeCom media_id). Personal data like any message: never logged.
 */
export type MediaKind = 'photo' | 'voice' | 'video' | 'document';

export interface InboundMedia {
  kind: MediaKind;
  /** the platform's id of the file as the sender's chat has it */
  fileId: string;
  /** bytes, when the platform says */
  size?: number;
  mime?: string;
  fileName?: string;
  durationSec?: number;
  /**
   * The same file as the staff side of the platform can send it (WeCom: fetched from 微信客服 with
   * media/get and uploaded to the application with media/upload at once, before the kf media_id expires).
   */
  relayId?: string;
  /** Why the file cannot reach the unit: over the platform's size limit, or gone (expired media id). */
  problem?: 'too_large' | 'expired';
}

/** A button press or card click, carrying the `data` of the button. */
export interface InboundAction {
  data: string;
  /** Platform handle used to acknowledge the press (Telegram callback_query id, WeCom ResponseCode). */
  ackId?: string;
  /** The message the button belonged to. */
  messageId?: string;
}

/**
 * Something the platform itself reports about a chat, never text a person typed:
 * adapters set it only from the platform's own update fields (Telegram
 * `migrate_to_chat_id` / `migrate_from_chat_id`, `my_chat_member`).
 */
export type PlatformEvent =
  | { kind: 'migrated'; toChatId: string }
  | { kind: 'membership'; status: string };

export interface InboundMessage {
  platform: Platform;
  /** Unique per platform message: a redelivery carries the same id, so it can never create a second petition. */
  messageId: string;
  /** Where replies go (a private chat, a group chat, a WeCom user or kf external user). */
  chatId: string;
  chatType: 'private' | 'group';
  /** The sender's platform user id. */
  userId: string;
  /** Display name as the platform gives it; personal data, never logged. */
  userName?: string;
  /** IETF-ish language hint from the platform ('zh', 'en'). */
  language?: string;
  text?: string;
  /** Slash command or text command, already split: `/whistle 2611250001 城管` → { name: 'whistle', args: '2611250001 城管' }. */
  command?: { name: string; args: string };
  photo?: { fileId: string; size?: number; mime?: string; relayId?: string; problem?: InboundMedia['problem'] };
  /** Voice notes, videos and files (a photo stays in `photo`). */
  media?: InboundMedia[];
  /** Something sent that the service cannot take as evidence (a sticker, a poll, a mini program…): the platform's name for it. */
  unsupported?: string;
  location?: GeoPoint;
  /** Phone number the user chose to share (Telegram contact). Personal data. */
  contactPhone?: string;
  action?: InboundAction;
  /** A platform event about the chat (migration, the bot's membership); no person speaks. */
  event?: PlatformEvent;
  /** The message this one replies to (a card, a ForceReply prompt). */
  replyToMessageId?: string;
  /** WeCom kf: the open_kfid the resident wrote to; used to reply. */
  channelAccount?: string;
  /** The category the sender chose (Open311 `service_code`): the petition is filed under it. */
  categoryCode?: string;
  receivedAt: Date;
}

export interface Button {
  label: string;
  /** ≤ 64 bytes (Telegram callback_data limit); e.g. `acc:2611250001`. */
  data: string;
}

export interface OutboundMessage {
  chatId: string;
  text: string;
  /** Rows of buttons. Adapters without buttons render them as numbered text choices. */
  buttons?: Button[][];
  /** Ask the client to reply to this message (Telegram ForceReply). */
  forceReply?: boolean;
  /** A PNG chart; adapters that cannot send photos send `text` alone. */
  photo?: { png: Buffer; filename: string };
  /** Replace an earlier message (e.g. a live roll-call) instead of sending a new one. */
  editMessageId?: string;
  /** Show it as a reply to this earlier message of the chat (the card a notice adds to), where the platform can; sent alone if that message is gone. */
  replyToMessageId?: string;
  /** Forum topic / thread, where the platform has them. */
  threadId?: string;
  /** WeCom kf: the open_kfid to reply from. */
  channelAccount?: string;
  /** The chat was just bound to a coordinator's area: show it the coordinator command menu (Telegram). */
  coordinatorMenu?: boolean;
  /**
   * Fill `{phone}` in `text` with this resident's decrypted phone at the last
   * moment (the callback operator's private chat): nothing unencrypted is stored.
   */
  revealPhoneOf?: string;
  /**
   * Evidence to re-send after the text (Telegram: by file_id, threaded to the message just sent;
   * WeCom: image/voice/video/file application messages). `platform` is where `fileId` lives: a sender
   * sends only what its platform can re-send.
   */
  attachments?: OutboundAttachment[];
  /** Preferred rendering: a dispatch card can become a WeCom template card. */
  card?: {
    title: string;
    fields: { label: string; value: string }[];
    /** Task id that WeCom needs to update the card after a click. */
    taskId?: string;
  };
}

export type OutboundAttachment =
  | { kind: MediaKind; platform: string; fileId: string; relayId?: string; mime?: string; fileName?: string }
  /** A map point: WGS-84 for Telegram's sendLocation (which expects it). */
  | { kind: 'location'; lat: number; lng: number; label?: string };

export interface SendResult {
  /** Platform message id of what was sent (used to map replies back to cards). */
  messageId: string;
  /** Set when the platform moved the chat (Telegram migrate_to_chat_id). */
  migratedToChatId?: string;
}

/** What every channel adapter offers to the outbound side. */
export interface ChannelSender {
  readonly platform: Platform;
  send(msg: OutboundMessage): Promise<SendResult>;
  /** Acknowledge a button press (no spinning buttons). Optional text is shown as a toast. */
  answerAction?(ackId: string, text?: string): Promise<void>;
  /** Messages this chat may still receive now without waiting (group budgets); lets the outbound side send one digest instead of a flood. */
  remainingBudget?(chatId: string): Promise<number>;
  /** How long a send to this chat would wait for budget now (ms); lets a worker defer instead of waiting. */
  readyIn?(chatId: string): Promise<number>;
}

/**
 * What the inbound side of an adapter calls for each platform update: store it
 * (deduplicated by platform + messageId) and enqueue it; resolves once it is
 * durable. Returns false for a redelivered message that was already stored.
 */
export type InboundSink = (msg: InboundMessage) => Promise<boolean>;

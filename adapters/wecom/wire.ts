/**
 * The JSON shapes of the WeCom APIs this adapter uses, as WeCom names them
 * (snake_case), and their documented limits. Only the fields we send or read.
 */

export const TEXT_MAX_BYTES = 2048;
/** button_interaction cards: at most 6 buttons; a key ≤ 1024 bytes; task_id ≤ 128 bytes of [0-9A-Za-z_\-@]. */
export const CARD_MAX_BUTTONS = 6;
export const CARD_BUTTON_KEY_MAX_BYTES = 1024;
export const CARD_TASK_ID_MAX_BYTES = 128;
export const CARD_TASK_ID_RE = /^[0-9A-Za-z_\-@]{1,128}$/;
/** Display limits WeCom recommends; longer text is cut by the client, so keep them. */
export const CARD_TITLE_MAX_CHARS = 26;
export const CARD_DESC_MAX_CHARS = 30;
export const CARD_SUBTITLE_MAX_CHARS = 112;
export const CARD_BUTTON_TEXT_MAX_CHARS = 10;
export const CARD_MAX_FIELDS = 6;
export const CARD_FIELD_KEY_MAX_CHARS = 5;
export const CARD_FIELD_VALUE_MAX_CHARS = 26;
/** 菜单消息: click id and content 1–128 bytes, head/tail ≤ 1024 bytes, at most 10 items (kept conservative). */
export const KF_MENU_ID_MAX_BYTES = 128;
export const KF_MENU_CONTENT_MAX_BYTES = 128;
export const KF_MENU_HEAD_MAX_BYTES = 1024;
export const KF_MENU_MAX_ITEMS = 10;

export interface WecomReply {
  errcode?: number;
  errmsg?: string;
}

/** template_card of card_type button_interaction (按钮交互型). */
export interface ButtonInteractionCard {
  card_type: 'button_interaction';
  source?: { desc?: string };
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: { keyname: string; value: string }[];
  /** Unique per application; needed to update the card after a click. */
  task_id: string;
  button_list: { text: string; key: string; style?: 1 | 2 | 3 | 4 }[];
  /** Shown (greyed) instead of the buttons after an update. */
  replace_text?: string;
}

/** media/upload types and their documented limits (bytes; every file must be over 5 bytes). */
export type MediaType = 'image' | 'voice' | 'video' | 'file';
export const MEDIA_MAX_BYTES: Record<MediaType, number> = { image: 10 * 1024 * 1024, voice: 2 * 1024 * 1024, video: 10 * 1024 * 1024, file: 20 * 1024 * 1024 };
export const MEDIA_MIN_BYTES = 6;

export type AppchatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | { msgtype: 'video'; video: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } };

export type KfOutMessage =
  | { msgtype: 'text'; text: { content: string } }
  | {
      msgtype: 'msgmenu';
      msgmenu: {
        head_content?: string;
        list: ({ type: 'click'; click: { id: string; content: string } } | { type: 'text'; text: { content: string; no_newline?: 0 | 1 } })[];
        tail_content?: string;
      };
    };

/** One entry of kf/sync_msg `msg_list`. origin 3 = the customer, 4 = system event, 5 = a servicer. */
export interface KfSyncedMessage {
  msgid: string;
  open_kfid: string;
  external_userid?: string;
  send_time: number;
  origin: number;
  servicer_userid?: string;
  msgtype: string;
  text?: { content: string; menu_id?: string };
  image?: { media_id: string };
  voice?: { media_id: string };
  video?: { media_id: string };
  file?: { media_id: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  event?: { event_type: string; [k: string]: unknown };
}

export interface KfSyncPage {
  nextCursor: string;
  hasMore: boolean;
  msgList: KfSyncedMessage[];
}

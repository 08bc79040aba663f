/**
 * Text clean-up before matching: well-formed UTF-16 (lone surrogates replaced),
 * NFKC (full-width letters and digits to ASCII), lower case, HTML tags and
 * entities removed, common traditional characters to simplified, whitespace
 * collapsed. Length is capped for classification (PII masking sees the full text).
 */

const TRAD =
  '電梯樓漏氣暖燈噪聲環境衛違築車輛紅綠區場費報裝廣門號內話鄰們這裡關開壞還無舊維護處資訊業單學園團買賣發熱邊條過證權幣蓋違攤販飯館廳醫務診療檢藥療禮轉讓聽說請問謝幫應該將對給從為動間題執權擾鬧鐵網約計價測錢險實體乾濕髒亂';
const SIMP =
  '电梯楼漏气暖灯噪声环境卫违筑车辆红绿区场费报装广门号内话邻们这里关开坏还无旧维护处资讯业单学园团买卖发热边条过证权币盖违摊贩饭馆厅医务诊疗检药疗礼转让听说请问谢帮应该将对给从为动间题执权扰闹铁网约计价测钱险实体干湿脏乱';
const T2S = new Map<string, string>();
for (let i = 0; i < TRAD.length && i < SIMP.length; i++) T2S.set(TRAD[i]!, SIMP[i]!);
const TRAD_RE = new RegExp(`[${TRAD}]`, 'g');

export const MAX_CLASSIFY_CHARS = 2000;

export function wellFormed(text: unknown): string {
  if (typeof text !== 'string') return '';
  const s = text as string & { toWellFormed?: () => string };
  return typeof s.toWellFormed === 'function' ? s.toWellFormed() : text.replace(/[\ud800-\udfff]/g, '\ufffd');
}

export function normalize(text: string): string {
  let t = text.length > MAX_CLASSIFY_CHARS ? text.slice(0, MAX_CLASSIFY_CHARS) : text;
  if (t.includes('<')) t = t.replace(/<\/?[a-zA-Z][^>]{0,200}>/g, ' ');
  if (t.includes('&')) t = t.replace(/&(?:nbsp|lt|gt|amp|quot|#\d+);/g, ' ');
  // NFKC only matters for full-width and compatibility characters; skip the cost otherwise.
  if (/[\u3000\uff00-\uffef\u2460-\u24ff\u3200-\u33ff\ufb00-\ufb4f\u00a0-\u00ff\u2000-\u206f]/.test(t)) t = t.normalize('NFKC');
  t = t.toLowerCase();
  if (TRAD_RE.test(t)) {
    TRAD_RE.lastIndex = 0;
    t = t.replace(TRAD_RE, (c) => T2S.get(c) ?? c);
  }
  TRAD_RE.lastIndex = 0;
  return t.replace(/\s+/g, ' ');
}

/** True when the text holds nothing a person could act on: no letters, no Chinese, only emoji, digits or punctuation. */
export function hasWords(t: string): boolean {
  return /[\u4e00-\u9fff]|[a-z]{2,}/.test(t);
}

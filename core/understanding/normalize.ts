/**
 * Text clean-up before matching: well-formed UTF-16 (lone surrogates replaced),
 * NFKC (full-width letters and digits to ASCII), lower case, HTML tags and
 * entities removed, common traditional characters to simplified (and 箅 to the
 * 篦 residents write for a drain grate), whitespace
 * collapsed. Length is capped for classification (PII masking sees the full text).
 */

const TRAD =
  '煙車機態個來時會們對後這裡說問見還沒麼嗎頭點邊過進開關門電燈樓層廳廁衛環聲響鬧擾髒亂滿積氣熱淨濕燒爐壞損毀斷塊牆磚鐵鋼錢費貴價買賣賠貨質臟醫藥療診護險學園師課補習書員職業資勞動養殘區鄉鎮縣莊場廣綠樹葉輛駛號線紅輕計條劃標誌欄蓋違築攤販經營佔盜竊騙賭鄰貓雞魚飯館廚檢驗變腸麵飲務處辦證產權續記錄報發壓戶單樣讓從為與無應該將給聽談請謝幫覺歡張劉陳楊趙黃吳鄭麗東陽寧豐懷順興溝災漲躍鑰鎖窩壺鍋爺孫兒婦傷癒遲緊總雙歲舊廢纜網約測實體乾擋擠撥帶黴醬鹽瓊衝穩灣樂參觀錯誤詢諮規則據紀飛雜傢掛懸圍雲齡貼獨聯絡糾紛鬥毆殺搶跡蹤嚇鳴擴頂臺屬夠豬齊齒糧麥穀漿鍵滯汙濁渾淺潔灑掃狀況緩駕騎輪輸載運達遞郵箅';
const SIMP =
  '烟车机态个来时会们对后这里说问见还没么吗头点边过进开关门电灯楼层厅厕卫环声响闹扰脏乱满积气热净湿烧炉坏损毁断块墙砖铁钢钱费贵价买卖赔货质脏医药疗诊护险学园师课补习书员职业资劳动养残区乡镇县庄场广绿树叶辆驶号线红轻计条划标志栏盖违筑摊贩经营占盗窃骗赌邻猫鸡鱼饭馆厨检验变肠面饮务处办证产权续记录报发压户单样让从为与无应该将给听谈请谢帮觉欢张刘陈杨赵黄吴郑丽东阳宁丰怀顺兴沟灾涨跃钥锁窝壶锅爷孙儿妇伤愈迟紧总双岁旧废缆网约测实体干挡挤拨带霉酱盐琼冲稳湾乐参观错误询咨规则据纪飞杂家挂悬围云龄贴独联络纠纷斗殴杀抢迹踪吓鸣扩顶台属够猪齐齿粮麦谷浆键滞污浊浑浅洁洒扫状况缓驾骑轮输载运达递邮篦';
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

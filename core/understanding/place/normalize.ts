/**
 * Text normalisation for place matching: full-width → half-width, traditional
 * → simplified characters (a table of the characters that occur in Beijing
 * place names and the words around them), lower case, and whitespace removed
 * between CJK characters ("三里 屯" → "三里屯").
 */

// Pairs of traditional → simplified. Only characters that differ.
const T2S_PAIRS =
  '區区門门東东陽阳裡里裏里園园樓楼號号華华龍龙豐丰臺台台台澱淀懷怀慶庆鄉乡鎮镇莊庄廣广興兴雲云順顺義义邊边衛卫醫医學学場场鐵铁車车' +
  '橋桥灣湾關关營营頭头溝沟與与開开發发歲岁莊庄張张劉刘陳陈黃黄趙赵萬万東东馬马寧宁蘇苏吳吴鄭郑韓韩楊杨葉叶孫孙錢钱' +
  '館馆場场廠厂廟庙陸陆崗岗壩坝灤滦漢汉漁渔峪峪嶺岭龍龙鳳凤鳥鸟雞鸡鴨鸭魚鱼藥药資资貿贸國国際际廳厅處处辦办電电話话' +
  '線线鐘钟鍾钟錦锦銀银鋼钢鏡镜長长門门閘闸閣阁闆板隊队陰阴險险隨随隱隐雙双雜杂難难離离靈灵韋韦響响頂顶順顺須须頌颂' +
  '預预領领頤颐題题顏颜風风飛飞飯饭飲饮餐餐驛驿驗验體体髮发鬥斗鬧闹魯鲁鮮鲜鹽盐麥麦黨党齊齐齒齿龜龟' +
  '億亿們们倉仓個个們们偉伟傳传傷伤僑侨價价儀仪優优兒儿兩两冊册凈净凍冻劃划劇剧勁劲勞劳勝胜勢势區区協协卻却廠厂厲厉' +
  '參参雙双發发號号嚴严團团園园圍围圖图圓圆塊块塔塔塢坞墊垫壇坛壓压壯壮壺壶夢梦夾夹奮奋婦妇媽妈孫孙寶宝實实寫写審审' +
  '將将專专尋寻對对導导屆届層层岡冈峽峡崑昆嶽岳幣币幹干廣广廬庐彎弯後后從从復复徹彻態态憶忆戰战戶户挾挟採采擁拥' +
  '據据擊击擴扩攤摊斷断於于時时晉晋書书會会朧胧東东條条來来楓枫極极樂乐樣样標标機机權权歡欢歸归殘残殺杀氣气溫温' +
  '滬沪滿满漲涨潔洁潤润濟济濱滨瀋沈災灾為为烏乌無无煙烟熱热燈灯爐炉牆墙獅狮獨独玆兹環环現现産产畫画當当療疗盤盘' +
  '眾众礦矿碼码確确禮礼禦御種种稱称穩稳窩窝競竞筆笔築筑簡简糧粮紀纪紅红紗纱紙纸級级紫紫細细終终組组結结絡络給给統统' +
  '絲丝經经綠绿維维網网綫线緊紧總总緑绿線线編编縣县繁繁織织繞绕繼继續续罷罢羅罗義义習习聖圣聯联聲声職职肅肃腦脑臨临' +
  '興兴舉举舊旧艦舰艱艰莊庄葦苇蒼苍蓋盖蓮莲蔣蒋蘭兰處处號号術术衝冲補补裝装複复見见規规視视親亲覺觉觀观訂订計计記记' +
  '設设許许訴诉診诊証证評评試试詩诗話话該该認认語语誠诚説说說说請请調调談谈論论諸诸謝谢識识護护讓让豐丰貝贝負负財财' +
  '貨货質质購购賀贺費费賓宾賣卖質质趕赶躍跃軍军軌轨輕轻載载輝辉輪轮輸输轉转辦办農农運运過过達达遠远適适遲迟遷迁選选' +
  '遺遗還还邊边郵邮鄰邻鄒邹酈郦醫医釀酿針针釣钓鈴铃鉛铅鋪铺錄录鍋锅鎖锁鎮镇鏈链鐘钟鑒鉴閃闪閉闭開开閑闲間间閩闽閱阅' +
  '闊阔闖闯關关闢辟陣阵陽阳階阶際际隴陇雖虽雞鸡雲云電电霧雾靜静韓韩項项順顺頓顿頻频顧顾飄飘館馆駐驻騎骑驚惊髮发' +
  '鬆松鳴鸣鵬鹏鶴鹤麗丽黴霉點点齋斋龐庞鹼碱巖岩嶗崂樺桦櫻樱檢检竇窦澤泽貢贡壽寿蘆芦譚谭瀾澜濤涛燦灿煉炼熾炽瑪玛璽玺甕瓮畢毕碩硕禪禅穀谷範范綜综緝缉縫缝績绩繩绳羨羡翹翘膠胶艷艳葯药蕩荡薊蓟藍蓝蘋苹虛虚螞蚂襪袜覽览訊讯詳详誌志諾诺謀谋貓猫賈贾賴赖趨趋跡迹蹤踪軒轩輛辆轄辖辭辞郟郏鄧邓醬酱鈞钧鋒锋錫锡鍊炼鎊镑鐳镭閔闵闕阙陝陕隸隶雋隽雛雏霸霸靂雳韻韵頗颇頰颊颱台餘余饅馒駕驾騰腾髒脏鬱郁魷鱿鯉鲤鱗鳞鴻鸿鵝鹅鷹鹰麵面黃黄龕龛' +
  '亞亚奧奥剎刹鑼锣迴回棲栖盧卢貞贞窪洼窯窑澗涧鑽钻舖铺緯纬紡纺驢驴蝦虾棗枣欒栾嶼屿磚砖銅铜榮荣貴贵祿禄匯汇滙汇湧涌灘滩藝艺戲戏報报師师產产業业務务稅税證证屬属員员議议單单鄰邻這这問问亂乱違违擾扰佔占販贩買买養养麼么嗎吗沒没應应繡绣驊骅駿骏騏骐驍骁驪骊強强賢贤額额類类寬宽闊阔薑姜蕭萧薩萨馮冯呂吕閻阎聶聂鞏巩龔龚駱骆闞阚藺蔺喬乔曉晓稜棱鮑鲍鄺邝鄆郓爾尔彌弥樹树橫横櫃柜灑洒燒烧築筑糞粪糧粮紮扎緣缘罰罚聽听膽胆艙舱莖茎萊莱葦苇蔔卜蘊蕴蟲虫衆众裏里褲裤襯衬覆覆訪访詞词誤误調调諮咨譜谱讀读變变豎竖豬猪貝贝賬账賓宾賠赔質质趙赵跡迹踐践躉趸軌轨軟软較较輔辅輪轮轟轰辦办農农遙遥遞递邊边郵邮醫医釘钉針针鈕钮銷销鋁铝錶表鍍镀鎖锁鏟铲鑰钥閒闲閥阀陽阳隊队階阶隨随險险雖虽雜杂雞鸡離离難难霧雾韌韧頁页頸颈飄飘飼饲餅饼館馆饑饥馬马駛驶驅驱驗验骯肮髮发鬧闹魯鲁鮮鲜鯨鲸鳥鸟鴿鸽鵲鹊鶯莺鸚鹦鹽盐麼么黴霉齊齐齡龄' +
  '連连進进遊游邁迈週周顯显顆颗廈厦儲储紐纽絡络繪绘蘿萝蔭荫藥药鍵键鋸锯鏢镖鐮镰闆板陣阵鄲郸崢峥嶸嵘巒峦峯峰昇升曬晒櫥橱氫氢溼湿滅灭澆浇濁浊灣湾瀘泸犧牺獄狱環环璣玑畝亩瘋疯盞盏睜睁礎础禍祸穌稣竊窃簾帘籃篮紋纹綱纲綢绸綿绵緻致縮缩繃绷纔才罈坛羣群聳耸肅肃脅胁臟脏艱艰蕪芜薦荐蟻蚁襲袭觸触詢询諧谐謹谨護护讚赞賦赋贈赠趕赶跳跳蹟迹躍跃軸轴輩辈轄辖辯辩遜逊鄉乡醞酝釋释鈔钞鉤钩銘铭鋒锋錄录鍛锻鏡镜鑄铸閩闽闡阐陰阴隸隶雋隽霛灵韁缰頑顽頗颇頻频顥颢飢饥飽饱餐餐餵喂饒饶駁驳駐驻騙骗驕骄髒脏鬥斗鬱郁鯊鲨鴉鸦鵝鹅鹵卤麗丽黃黄鼎鼎齒齿';

/** UTF-16 code unit → replacement code unit (0 = keep). Covers T2S, full-width forms, A-Z. */
const MAP = new Uint16Array(65536);
for (let i = 0; i + 1 < T2S_PAIRS.length; i += 2) {
  const t = T2S_PAIRS.charCodeAt(i);
  const s = T2S_PAIRS.charCodeAt(i + 1);
  if (t !== s) MAP[t] = s;
}
for (let c = 0xff01; c <= 0xff5e; c++) MAP[c] = c - 0xfee0;
for (let c = 65; c <= 90; c++) MAP[c] = c + 32;
for (let c = 0xff21; c <= 0xff3a; c++) MAP[c] = c - 0xfee0 + 32;
// Pinyin with tone marks (Wàngjīng) and other Latin letters with diacritics → base letter.
{
  const groups: Record<string, string> = {
    a: 'āáǎàÀÁÂÃÄÅàáâãäå', e: 'ēéěèÈÉÊËèéêë', i: 'īíǐìÌÍÎÏìíîï', o: 'ōóǒòÒÓÔÕÖòóôõö', u: 'ūúǔùÙÚÛÜùúûüǖǘǚǜ', n: 'ńňǹÑñ', c: 'Çç', y: 'Ýýÿ',
  };
  for (const [base, chars] of Object.entries(groups)) for (const ch of chars) MAP[ch.charCodeAt(0)] = base.charCodeAt(0);
}
MAP[0x3000] = 32;
MAP[0x00a0] = 32;

export function isCjk(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c >= 0x3400 && c <= 0x9fff;
}

function isCjkCode(c: number): boolean {
  return c >= 0x3400 && c <= 0x9fff;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Normalise for matching. Returns a string where CJK runs have no whitespace,
 * latin is lower-cased, full-width forms are half-width, traditional characters
 * are simplified. Whitespace between latin words is kept as one space.
 */
export function normalizeText(input: string): string {
  const n = input.length;
  const out: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    let c = input.charCodeAt(i);
    const m = MAP[c]!;
    if (m) c = m;
    if (isSpace(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      const prev = out[out.length - 1]!;
      // Keep a space only where it separates latin/digit tokens.
      if (!isCjkCode(prev) && !isCjkCode(c)) out.push(32);
      pendingSpace = false;
    }
    out.push(c);
  }
  let s = '';
  for (let i = 0; i < out.length; i += 4096) s += String.fromCharCode(...out.slice(i, i + 4096));
  return s;
}

/**
 * normalizeText, plus where whitespace between CJK characters was dropped:
 * breaks[i] = 1 when a space stood before output position i ("水压很小 亦庄").
 */
export function normalizeWithBreaks(input: string): { text: string; breaks: Uint8Array } {
  const n = input.length;
  const out: number[] = [];
  const brk: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    let c = input.charCodeAt(i);
    const m = MAP[c]!;
    if (m) c = m;
    if (isSpace(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      const prev = out[out.length - 1]!;
      if (!isCjkCode(prev) && !isCjkCode(c)) out.push(32);
      else brk.push(out.length);
      pendingSpace = false;
    }
    out.push(c);
  }
  let text = '';
  for (let i = 0; i < out.length; i += 4096) text += String.fromCharCode(...out.slice(i, i + 4096));
  const breaks = new Uint8Array(out.length + 1);
  for (const b of brk) breaks[b] = 1;
  return { text, breaks };
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十二 → 12, 三 → 3; undefined when not a simple Chinese numeral (≤ 99). */
export function chineseNumber(s: string): number | undefined {
  if (!s) return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const m = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CN_DIGITS[m[2]]! : 0);
  if (s.length === 1 && s in CN_DIGITS) return CN_DIGITS[s];
  return undefined;
}

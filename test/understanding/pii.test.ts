import { describe, expect, it } from 'vitest';
import { detectPersonalData, isValidIdNumber, luhnValid } from '../../core/understanding/pii.js';
import { understand } from '../../core/understanding/index.js';
import { maskIdNumber, maskPhone, maskText } from '../../core/pii.js';

const VALID_ID = '11010519491231002X';
const INVALID_ID = '110105194912310021'; // same number, wrong check digit
const CARD = '6222021234567890128'; // Luhn-valid, 19 digits

describe('personal data detection', () => {
  it('validates the ID check digit', () => {
    expect(isValidIdNumber(VALID_ID)).toBe(true);
    expect(isValidIdNumber(INVALID_ID)).toBe(false);
    expect(isValidIdNumber('110105194913310028')).toBe(false); // month 13
  });

  it('masks a valid ID number and keeps it in originals only', () => {
    const r = detectPersonalData(`身份证号${VALID_ID}，麻烦核实`);
    expect(r.maskedText).not.toContain(VALID_ID);
    expect(r.maskedText).toContain('110***********002X');
    expect(r.personalData).toEqual([{ kind: 'id_card', masked: '110***********002X' }]);
    expect(r.originals[0]).toMatchObject({ kind: 'id_card', original: VALID_ID });
  });

  it('does not report an 18-digit number with a wrong check digit as an ID', () => {
    const r = detectPersonalData(`身份证号${INVALID_ID}`);
    expect(r.personalData.some((p) => p.kind === 'id_card')).toBe(false);
  });

  it('masks mobiles with +86, spaces and dashes', () => {
    for (const [text, masked] of [
      ['电话13812345678', '138****5678'],
      ['手机 +86 138 1234 5678 谢谢', '138****5678'],
      ['call 139-1234-5678', '139****5678'],
      ['008613712345678', '137****5678'],
    ] as const) {
      const r = detectPersonalData(text);
      expect(r.personalData, text).toEqual([{ kind: 'mobile', masked }]);
      expect(r.maskedText).toContain(masked);
    }
  });

  it('masks landlines with the Beijing area code', () => {
    const r = detectPersonalData('座机010-65123456，或者(010) 6512 3457');
    expect(r.personalData.map((p) => p.kind)).toEqual(['landline', 'landline']);
    expect(r.maskedText).not.toMatch(/65123456|6512 3457/);
  });

  it('tells a bank card from a phone and an ID number (Luhn, 16–19 digits)', () => {
    expect(luhnValid(CARD)).toBe(true);
    const r = detectPersonalData(`退款打到卡号${CARD}，电话13812345678，身份证${VALID_ID}`);
    expect(r.personalData.map((p) => p.kind)).toEqual(['bank_card', 'mobile', 'id_card']);
    expect(r.maskedText).not.toContain(CARD);
    const spaced = detectPersonalData('卡号 6222 0212 3456 7890 128');
    expect(spaced.personalData).toEqual([{ kind: 'bank_card', masked: '6222***********0128' }]);
    // Luhn-invalid 16 digits: not a card
    expect(detectPersonalData('编号1234567812345678').personalData).toEqual([]);
  });

  it('masks e-mail addresses', () => {
    const r = detectPersonalData('my email is zhang.san@example.com');
    expect(r.personalData).toEqual([{ kind: 'email', masked: 'z***@example.com' }]);
  });

  it('masks self-introduced names', () => {
    expect(detectPersonalData('我叫张三，住在望京').maskedText).toBe('我叫张*，住在望京');
    expect(detectPersonalData('您好，我姓王，楼道灯坏了').personalData).toEqual([{ kind: 'name', masked: '王*' }]);
    expect(detectPersonalData('联系人：欧阳娜娜').maskedText).toBe('联系人：欧阳**');
    const en = detectPersonalData('Hello, my name is John Smith and the lift is broken');
    expect(en.maskedText).toContain('J*** S****');
    expect(en.originals[0]!.original).toBe('John Smith');
  });

  it('does not take ordinary words for names', () => {
    expect(detectPersonalData('我是王府井社区的居民').personalData).toEqual([]);
    expect(detectPersonalData('我是业主，物业不管').personalData).toEqual([]);
  });

  it('leaves petition numbers and dates alone', () => {
    const text = '我的工单号2611250001，2025-11-25反映过';
    const r = detectPersonalData(text);
    expect(r.maskedText).toBe(text);
    expect(r.personalData).toEqual([]);
  });
});

describe('understanding carries masked text only', () => {
  it('masks the text, the summary and lists the personal data', () => {
    const u = understand(`我叫李四，手机13912345678，身份证${VALID_ID}，朝阳区望京街道路灯坏了`);
    for (const s of [u.maskedText, u.summary]) {
      expect(s).not.toContain('13912345678');
      expect(s).not.toContain(VALID_ID);
      expect(s).not.toContain('李四');
    }
    expect(u.personalData.map((p) => p.kind).sort()).toEqual(['id_card', 'mobile', 'name']);
    expect(u.originals.map((o) => o.original)).toEqual(expect.arrayContaining(['13912345678', VALID_ID, '李四']));
    expect(u.category.code).toBe('municipal_facility');
  });
});

describe('core/pii (the logger floor)', () => {
  it('keeps maskPhone / maskIdNumber / maskText working', () => {
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
    expect(maskIdNumber(VALID_ID)).toBe('110***********002X');
    const masked = maskText(`张先生 13812345678 ${INVALID_ID} a@b.cn 我叫赵六`);
    expect(masked).not.toContain('13812345678');
    expect(masked).not.toContain(INVALID_ID); // the floor masks any 18-digit number in logs
    expect(masked).not.toContain('a@b.cn');
    expect(masked).not.toContain('赵六');
  });
});

/**
 * The pure parts of evidence and contact: which words decline phone contact, how a pin is shown
 * (GCJ-02 for the map link, WGS-84 for Telegram's sendLocation), and what a sender is asked to
 * re-send (never a file that could not be handed on).
 */
import { describe, expect, it } from 'vitest';
import gcoordModule from 'gcoord';
import { declinesPhone } from '../../core/workflow/contact.js';
import { evidenceOf, mapPoint, outboundAttachments, problemsOf } from '../../core/workflow/evidence.js';

type Gcoord = typeof gcoordModule.default;
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

describe('declining phone contact', () => {
  it.each(['只在平台沟通', '请只在平台联系我', '不要打电话', '别打电话给我', '请勿电话联系', "please don't call me", 'no calls please', 'chat only'])('%s declines', (text) => {
    expect(declinesPhone(`朝阳区三里屯 路灯坏了。${text}`)).toBe(true);
  });
  it.each(['我的电话13812345678', '可以打电话联系我', '电话联系物业没人接', 'call me any time'])('%s does not', (text) => {
    expect(declinesPhone(text)).toBe(false);
  });
});

describe('a pin as the unit sees it', () => {
  it('a WGS-84 pin (Telegram) is converted to GCJ-02 for the AMap link', () => {
    const [lng, lat] = gcoord.transform([116.45358, 39.93612], gcoord.WGS84, gcoord.GCJ02) as [number, number];
    const m = mapPoint({ lat: 39.93612, lng: 116.45358, coordSystem: 'wgs84', label: '三里屯' });
    expect(m.lng).toBeCloseTo(lng, 6);
    expect(m.lat).toBeCloseTo(lat, 6);
    expect(Math.abs(m.lng - 116.45358)).toBeGreaterThan(0.003); // the offset is real, not a no-op
    expect(m.url).toBe(`https://uri.amap.com/marker?position=${m.lng},${m.lat}&name=${encodeURIComponent('三里屯')}&coordinate=gaode`);
  });

  it('a GCJ-02 pin (WeCom) is shown as it is, and re-sent to Telegram as WGS-84', () => {
    expect(mapPoint({ lat: 39.93, lng: 116.45, coordSystem: 'gcj02' })).toMatchObject({ lat: 39.93, lng: 116.45 });
    const [pin] = outboundAttachments([{ kind: 'location', lat: 39.93, lng: 116.45, coordSystem: 'gcj02' }]);
    const [lng, lat] = gcoord.transform([116.45, 39.93], gcoord.GCJ02, gcoord.WGS84) as [number, number];
    expect(pin).toMatchObject({ kind: 'location' });
    expect((pin as { lat: number }).lat).toBeCloseTo(lat, 6);
    expect((pin as { lng: number }).lng).toBeCloseTo(lng, 6);
  });
});

describe('what is re-sent', () => {
  it('files that could not be handed on and unsupported kinds are notes, never sends', () => {
    const kept = evidenceOf(
      'wecom_kf',
      [
        { kind: 'voice', fileId: 'V', relayId: 'UP1' },
        { kind: 'video', fileId: 'BIG', problem: 'too_large' },
        { kind: 'photo', fileId: 'OLD', problem: 'expired' },
      ],
      'link',
    );
    expect(outboundAttachments(kept)).toEqual([{ kind: 'voice', platform: 'wecom_kf', fileId: 'V', relayId: 'UP1' }]);
    expect(problemsOf(kept)).toEqual([
      { kind: 'video', problem: 'too_large' },
      { kind: 'photo', problem: 'expired' },
      { kind: 'link', problem: 'unsupported' },
    ]);
  });
});

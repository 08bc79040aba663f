/**
 * What counts as a command: a slash command, a whole-line keyword, or a keyword followed by a
 * number. A resident's sentence that happens to start with a command word is a message.
 */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../bots/commands.js';

const text = (t: string, staff = false) => parseCommand({ text: t }, { staff });

describe('parseCommand', () => {
  it("a resident's sentence that starts with a command word is not a command", () => {
    for (const s of [
      'My neighbour collapsed and is not breathing',
      'Help, the water pipe burst in our building',
      'rate of the noise is unbearable at night',
      'withdraw money machine at 三里屯 is broken',
      'start of the road is flooded',
      '我的邻居晕倒了',
      '我的 邻居家漏水淹到我家了',
      '帮助 3号楼老人摔倒了',
      '撤回 不了，怎么办',
      '评价 一下这个小区的垃圾',
      '开始 施工太吵了',
    ]) {
      expect(text(s), s).toBeNull();
    }
  });

  it('whole-line keywords, slash commands and keyword + number are commands', () => {
    expect(text('我的')).toEqual({ name: 'my', args: '', slash: false });
    expect(text('help')).toEqual({ name: 'help', args: '', slash: false });
    expect(text(' Help ')).toEqual({ name: 'help', args: '', slash: false });
    expect(text('帮助？')).toEqual({ name: 'help', args: '', slash: false });
    expect(text('撤回 2611250001')).toEqual({ name: 'withdraw', args: '2611250001', slash: false });
    expect(text('评价 2611250001 111')).toEqual({ name: 'rate', args: '2611250001 111', slash: false });
    expect(text('签收 2611250001')).toEqual({ name: 'accept', args: '2611250001', slash: false });
    expect(text('签收2611250001')).toEqual({ name: 'accept', args: '2611250001', slash: false });
    expect(text('办结 2611250001 已清理')).toEqual({ name: 'resolve', args: '2611250001 已清理', slash: false });
    expect(text('报到 W2611250001')).toEqual({ name: 'report', args: 'W2611250001', slash: false });
    expect(text('绑定 ABCD2345')).toEqual({ name: 'bind', args: 'ABCD2345', slash: false });
    expect(parseCommand({ command: { name: 'my', args: 'whatever' }, text: '/my whatever' })).toEqual({ name: 'my', args: 'whatever', slash: true });
  });

  it('staff keep the text commands that take a place or a period', () => {
    expect(text('吹哨 三里屯 住建 20', true)).toEqual({ name: 'whistle', args: '三里屯 住建 20', slash: false });
    expect(text('统计 2026-10', true)).toEqual({ name: 'stats', args: '2026-10', slash: false });
    // …but not a resident's sentence, even from staff
    expect(text('My neighbour collapsed', true)).toBeNull();
    // and a resident's "吹哨 …" sentence is a message
    expect(text('吹哨 三里屯 住建')).toBeNull();
  });
});

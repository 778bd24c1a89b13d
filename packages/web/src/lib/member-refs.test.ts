import { describe, expect, it } from 'vitest';
import { checkMemberRefs, looksLikePhone, parseMemberRefs } from './member-refs.js';

describe('member refs', () => {
  it('splits on commas, semicolons and lines, once each', () => {
    expect(parseMemberRefs('+1 415 555 0100, +44 20 7946 0000\n+1 415 555 0100;')).toEqual([
      '+1 415 555 0100',
      '+44 20 7946 0000',
    ]);
  });

  it('knows a phone number in international format', () => {
    expect(looksLikePhone('+1 (415) 555-0100')).toBe(true);
    expect(looksLikePhone('12345')).toBe(false);
    expect(looksLikePhone('+123')).toBe(false);
  });

  it('refuses what is neither a number nor a known person, before any request', () => {
    const check = checkMemberRefs('+14155550100, 12345');
    expect(check).toEqual({
      ok: false,
      problem: '“12345” is not a phone number. Use the international format, like +1 415 555 0100.',
    });
  });

  it('takes a known person by name (case aside), and refuses an ambiguous one', () => {
    const known = [
      { id: 'u1', name: 'Cara' },
      { id: 'u2', name: 'Ben' },
      { id: 'u3', name: 'Ben' },
    ];
    expect(checkMemberRefs('cara, +14155550100', known)).toEqual({
      ok: true,
      refs: ['u1', '+14155550100'],
    });
    expect(checkMemberRefs('Ben', known)).toMatchObject({ ok: false });
  });
});

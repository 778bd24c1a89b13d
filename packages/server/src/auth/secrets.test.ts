import { describe, expect, test } from 'vitest';
import { digestsEqual, generateOtp, generateToken, hashOtp, hashToken } from './secrets.js';

const SECRET = 'k'.repeat(32);

describe('generateOtp', () => {
  test('is always exactly 6 ASCII digits, leading zeros kept', () => {
    for (let i = 0; i < 20_000; i++) expect(generateOtp()).toMatch(/^[0-9]{6}$/);
  });

  test('is spread evenly: every digit in every position, few repeats', () => {
    const n = 20_000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const code = generateOtp();
      seen.add(code);
      code.split('').forEach((d, pos) => counts[pos]![Number(d)]!++);
    }
    // Each digit is expected n/10 = 2,000 times per position (sd ≈ 42): ±20% is far outside chance.
    for (const position of counts) {
      for (const c of position) {
        expect(c).toBeGreaterThan(1600);
        expect(c).toBeLessThan(2400);
      }
    }
    // 20,000 draws from 10^6 give about 200 collisions; a weak generator gives many more.
    expect(seen.size).toBeGreaterThan(n - 400);
  });

  test('codes below 100000 occur (no digit is dropped)', () => {
    let small = false;
    for (let i = 0; i < 5000 && !small; i++) small = generateOtp().startsWith('0');
    expect(small).toBe(true);
  });
});

describe('hashOtp', () => {
  const phone = '+14155552671';

  test('is a 64-character hex digest that does not contain the code', () => {
    const h = hashOtp(SECRET, phone, '123456');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain('123456');
  });

  test('is deterministic', () => {
    expect(hashOtp(SECRET, phone, '123456')).toBe(hashOtp(SECRET, phone, '123456'));
  });

  test('depends on the secret, the number and the code', () => {
    const h = hashOtp(SECRET, phone, '123456');
    expect(hashOtp('x'.repeat(32), phone, '123456')).not.toBe(h);
    expect(hashOtp(SECRET, '+14155552672', '123456')).not.toBe(h);
    expect(hashOtp(SECRET, phone, '123457')).not.toBe(h);
  });

  test('is keyed: not a plain hash of the code', async () => {
    const { createHash } = await import('node:crypto');
    const h = hashOtp(SECRET, phone, '123456');
    for (const input of ['123456', `${phone}:123456`, `otp:${phone}:123456`]) {
      expect(createHash('sha256').update(input).digest('hex')).not.toBe(h);
    }
  });
});

describe('digestsEqual', () => {
  const a = hashOtp(SECRET, '+14155552671', '111111');
  const b = hashOtp(SECRET, '+14155552671', '222222');

  test('true for equal digests only', () => {
    expect(digestsEqual(a, a)).toBe(true);
    expect(digestsEqual(a, a.toUpperCase())).toBe(true);
    expect(digestsEqual(a, b)).toBe(false);
  });

  test('false, not a throw, for different lengths or empty input', () => {
    expect(digestsEqual(a, a.slice(0, 62))).toBe(false);
    expect(digestsEqual(a, `${a}00`)).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
    expect(digestsEqual(a, '')).toBe(false);
  });
});

describe('session tokens', () => {
  test('are 256-bit base64url and unique', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('are stored as a SHA-256 that differs from the token', () => {
    const t = generateToken();
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).toBe(hashToken(t));
    expect(hashToken(t)).not.toBe(hashToken(generateToken()));
  });
});

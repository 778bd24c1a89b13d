import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.js';
import {
  assertCountryAllowed,
  assertKindAllowed,
  normalizePhone,
  type NormalizedPhone,
} from './phone.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  return undefined;
}

describe('normalizePhone', () => {
  test.each([
    ['+14155552671', '+14155552671', 'US'],
    ['+1 415 555 2671', '+14155552671', 'US'],
    ['+1 (415) 555-2671', '+14155552671', 'US'],
    ['+1.415.555.2671', '+14155552671', 'US'],
    ['+1/415/555/2671', '+14155552671', 'US'],
    ['  +1 415 555 2671\n', '+14155552671', 'US'],
    ['+1 613 555 0100', '+16135550100', 'CA'],
    ['+44 20 7946 0958', '+442079460958', 'GB'],
    ['+44 (0)20 7946 0958', '+442079460958', 'GB'],
    ['+44 7400 123456', '+447400123456', 'GB'],
    ['+33 6 12 34 56 78', '+33612345678', 'FR'],
    ['+49 30 901820', '+4930901820', 'DE'],
    ['+81 3-1234-5678', '+81312345678', 'JP'],
    ['+91 98765 43210', '+919876543210', 'IN'],
    ['+61 412 345 678', '+61412345678', 'AU'],
    ['+55 11 91234-5678', '+5511912345678', 'BR'],
    // Full-width digits, as some phone keyboards type them.
    ['+１ ４１５ ５５５ ２６７１', '+14155552671', 'US'],
  ])('%j → %s (%s)', (input, e164, country) => {
    expect(normalizePhone(input)).toMatchObject({ e164, country });
  });

  test.each([
    '',
    ' ',
    '+',
    'abc',
    '+1415555267a',
    '+14155552671x',
    '+1 415 555 2671 ext. 5',
    'tel:+14155552671',
    'call me on +14155552671',
    '+1 800 FLOWERS',
    '4155552671',
    '0044 20 7946 0958',
    '++14155552671',
    '+1 555 0100',
    '+1 555 010 0100',
    '+1 011 555 2671',
    '+1415',
    '+44 20 1234',
    '+999 1234 5678',
    `+1${'4'.repeat(30)}`,
  ])('%j is INVALID_PHONE', (input) => {
    expect(codeOf(() => normalizePhone(input))).toBe('INVALID_PHONE');
  });

  test('the error is a 400 with a message showing the expected format', () => {
    try {
      normalizePhone('nope');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('+1') as string,
      });
    }
  });
});

describe('assertCountryAllowed', () => {
  const us: NormalizedPhone = normalizePhone('+14155552671');
  const gb: NormalizedPhone = normalizePhone('+442079460958');

  test('undefined or an empty list allows every country', () => {
    expect(() => assertCountryAllowed(us, undefined)).not.toThrow();
    expect(() => assertCountryAllowed(us, [])).not.toThrow();
  });

  test('allows the listed countries and refuses the others', () => {
    expect(() => assertCountryAllowed(gb, ['GB'])).not.toThrow();
    expect(() => assertCountryAllowed(us, ['US', 'CA'])).not.toThrow();
    expect(codeOf(() => assertCountryAllowed(us, ['GB']))).toBe('PHONE_COUNTRY_NOT_ALLOWED');
    expect(codeOf(() => assertCountryAllowed(gb, ['US', 'CA']))).toBe('PHONE_COUNTRY_NOT_ALLOWED');
  });

  test('a number sharing a calling code is judged by its own region (+1 Canada is not US)', () => {
    const ca = normalizePhone('+1 613 555 0100');
    expect(codeOf(() => assertCountryAllowed(ca, ['US']))).toBe('PHONE_COUNTRY_NOT_ALLOWED');
  });

  test('a number of unknown region is refused when a list is set', () => {
    expect(
      codeOf(() =>
        assertCountryAllowed(
          { e164: '+80012345678', country: undefined, callingCode: '800', type: 'toll_free' },
          ['US'],
        ),
      ),
    ).toBe('PHONE_COUNTRY_NOT_ALLOWED');
  });
});

describe('assertKindAllowed (SMS pumping)', () => {
  const defaults = ['mobile', 'fixed_line_or_mobile'] as const;

  test.each([
    ['+1 900 555 0100', 'premium rate (US)'],
    ['+44 909 123 4567', 'premium rate (UK)'],
    ['+1 800 555 0100', 'toll free'],
    ['+881 6 1234 5678', 'satellite (Iridium)'],
    ['+870 773 111 632', 'satellite (Inmarsat)'],
    ['+44 20 7946 0958', 'fixed line'],
  ])('%s (%s) gets no code by default', (number) => {
    expect(codeOf(() => assertKindAllowed(normalizePhone(number), defaults))).toBe(
      'PHONE_TYPE_NOT_ALLOWED',
    );
  });

  test.each([['+1 415 555 2671'], ['+33 6 12 34 56 78'], ['+44 7400 123456']])(
    '%s (mobile) gets codes',
    (number) => {
      expect(() => assertKindAllowed(normalizePhone(number), defaults)).not.toThrow();
    },
  );

  test('a setting widens it', () => {
    expect(() =>
      assertKindAllowed(normalizePhone('+44 20 7946 0958'), [...defaults, 'fixed_line']),
    ).not.toThrow();
    expect(() =>
      assertKindAllowed(normalizePhone('+881 6 1234 5678'), [...defaults, 'non_geographic']),
    ).not.toThrow();
  });
});

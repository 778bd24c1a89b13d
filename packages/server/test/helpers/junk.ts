import fc from 'fast-check';

/**
 * Junk a hostile or broken client may send in place of a value, for the HTTP and cable property
 * tests. Values are JSON *text*, because some of the interesting ones have no JavaScript value
 * that JSON.stringify would write: 1e309, -0, a lone surrogate, a `__proto__` key.
 */

/** A class of junk; tests decide per field which classes must be refused. */
export type JunkClass =
  | 'wrong_type'
  | 'huge_number'
  | 'number_like_string'
  | 'empty_string'
  | 'enormous_string'
  | 'control_chars'
  | 'bidi_override'
  | 'lone_surrogate'
  | 'deep_nesting'
  | 'poisoned_object';

export interface Junk {
  kind: JunkClass;
  /** JSON text of the value. */
  json: string;
}

/** Nesting deeper than any parser should recurse on: 10,000 levels (about 20-60 kB). */
export const DEEP = 10_000;

export const deepArray = (depth = DEEP): string => '['.repeat(depth) + ']'.repeat(depth);
export const deepObject = (depth = DEEP): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** C0 and C1 controls that no keyboard types (tab and line breaks aside), and DEL. */
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => ![0x09, 0x0a, 0x0d].includes(c)),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
].map((c) => String.fromCharCode(c));

/** Direction overrides, embeddings and isolates: U+202E turns "exe.pdf" into "fdp.exe". */
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068'];

const word = fc.string({
  minLength: 1,
  maxLength: 12,
  unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', 'z', '0', '1', '9'),
});

/** A string around `inner`: 'Ana' + inner + 'Bell', say. */
const around = (inner: fc.Arbitrary<string>) =>
  fc.tuple(word, inner, word).map(([a, b, c]) => JSON.stringify(a + b + c));

const wrongType = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '1', '-1', '[]', '{}', '[1,2]', '{"a":1}', '[""]'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

const hugeNumber = fc.constantFrom(
  '1e309',
  '-1e309',
  '18446744073709551616',
  '-18446744073709551617',
  '9007199254740993',
  '123456789012345678901234567890123456789',
  '-0',
  '1e-400',
  '0.5',
  '1E+2',
);

const numberLikeString = fc
  .constantFrom('NaN', '-NaN', 'Infinity', '-Infinity', '1e309', '0x10', '0b1', ' 1', '1_000', '')
  .map((s) => JSON.stringify(s));

const controlChars = around(fc.constantFrom(...CONTROLS));
const bidiOverride = around(fc.constantFrom(...BIDI));
/** `\ud800` written as an escape: a string JavaScript holds but UTF-8 cannot. */
const loneSurrogate = fc
  .tuple(word, fc.constantFrom('\\ud800', '\\udfff', '\\udbff'), word)
  .map(([a, s, b]) => `"${a}${s}${b}"`);

const poisonedObject = fc.constantFrom(
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"__proto__":[]}',
  '{"\\u005f_proto__":{"admin":true}}',
);

/**
 * Junk for one value. `enormous` strings are 20,000 characters: over every field's own limit,
 * under the body limit, so that the field's validation is what answers.
 */
export const junkValue: fc.Arbitrary<Junk> = fc.oneof(
  wrongType.map((json) => ({ kind: 'wrong_type' as const, json })),
  hugeNumber.map((json) => ({ kind: 'huge_number' as const, json })),
  numberLikeString.map((json) => ({ kind: 'number_like_string' as const, json })),
  fc.constant({ kind: 'empty_string' as const, json: '""' }),
  fc
    .constantFrom('x', 'é', '😀', '\u202E')
    .map((c) => ({ kind: 'enormous_string' as const, json: JSON.stringify(c.repeat(20_000)) })),
  controlChars.map((json) => ({ kind: 'control_chars' as const, json })),
  bidiOverride.map((json) => ({ kind: 'bidi_override' as const, json })),
  loneSurrogate.map((json) => ({ kind: 'lone_surrogate' as const, json })),
  fc
    .constantFrom(deepArray(), deepObject())
    .map((json) => ({ kind: 'deep_nesting' as const, json })),
  poisonedObject.map((json) => ({ kind: 'poisoned_object' as const, json })),
);

/** Extra keys that must never be read as part of an object. */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', '\\u005f_proto__'] as const;

/**
 * The JSON text of `valid` with `field` set to the raw JSON `value` (or, with `extraKey`, with
 * one more key instead).
 */
export function withRawField(
  valid: Readonly<Record<string, unknown>>,
  field: string,
  value: string,
): string {
  const parts = Object.entries(valid)
    .filter(([k]) => k !== field)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  // A key given as already-escaped JSON text (\u005f_proto__) is written as is.
  const key = field.includes('\\') ? `"${field}"` : JSON.stringify(field);
  parts.push(`${key}:${value}`);
  return `{${parts.join(',')}}`;
}

/** Byte sequences that are not UTF-8: a stray continuation, an overlong '/', a surrogate, 0xFF. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
];

/** `text` with `bad` spliced in just after its first `"` quote, inside the first string. */
export function withBadBytes(text: string, bad: Buffer): Buffer {
  const at = text.indexOf('"', text.indexOf(':')) + 1;
  return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
}

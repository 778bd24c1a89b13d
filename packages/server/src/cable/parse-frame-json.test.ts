import { describe, expect, test } from 'vitest';
import { parseFrameJson } from './parse-frame-json.js';

describe('parseFrameJson', () => {
  test.each([
    ['a __proto__ key', '{"command":"pong","__proto__":{"admin":true}}'],
    ['a __proto__ key spelled with an escape', '{"\\u005f_proto__":1}'],
    ['a nested __proto__ key', '{"a":[{"b":{"__proto__":null}}]}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
    ['constructor.prototype spelled with an escape', '{"constructor":{"prot\\u006ftype":1}}'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseFrameJson(text)).toThrow(SyntaxError);
  });

  test.each([
    ['plain frames', '{"command":"subscribe","identifier":"{\\"channel\\":\\"UserChannel\\"}"}'],
    ['the words in values', '{"body":"__proto__ and constructor.prototype","x":"\\u00e9"}'],
    ['a constructor that is not an object', '{"constructor":"prototype"}'],
    ['a key named prototype alone', '{"prototype":{"a":1}}'],
  ])('reads %s as JSON.parse does', (_what, text) => {
    expect(parseFrameJson(text)).toEqual(JSON.parse(text));
  });

  test('walks 10,000 levels without overflowing the stack', () => {
    const deep = `${'{"a":'.repeat(10_000)}{"\\u005f_proto__":1}${'}'.repeat(10_000)}`;
    expect(() => parseFrameJson(deep)).toThrow(SyntaxError);
    expect(() => parseFrameJson('['.repeat(10_000) + ']'.repeat(10_000))).not.toThrow();
  });

  test('bad JSON still throws as JSON.parse does', () => {
    expect(() => parseFrameJson('{"a":')).toThrow(SyntaxError);
  });
});

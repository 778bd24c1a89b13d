/**
 * JSON.parse for what a client sends over the cable (frames, identifiers, action data), refusing
 * the keys the HTTP side refuses too (Fastify's `onProtoPoisoning` and `onConstructorPoisoning`,
 * both "error"): an own `__proto__` key, and a `constructor` object holding `prototype`.
 *
 * JSON.parse makes `__proto__` an ordinary own key, which zod then drops without a word (or, in a
 * loose object, passes on): a value that names it is refused as a whole rather than read as
 * something other than what was sent. Throws a SyntaxError, as JSON.parse does for bad text.
 */
export function parseFrameJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // Only a text that spells one of the keys, or hides one behind a \u escape, can hold one: the
  // walk is skipped for the frames of every day.
  if (
    (text.includes('__proto__') || text.includes('prototype') || text.includes('\\u')) &&
    hasPoisonedKey(value)
  ) {
    throw new SyntaxError('JSON with a __proto__ or constructor.prototype key');
  }
  return value;
}

function hasPoisonedKey(root: unknown): boolean {
  // Iterative: a frame nested 10,000 deep must not overflow the stack here either.
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value)) {
      if (Object.hasOwn(value, '__proto__')) return true;
      const ctor: unknown = (value as Record<string, unknown>).constructor;
      if (
        Object.hasOwn(value, 'constructor') &&
        typeof ctor === 'object' &&
        ctor !== null &&
        Object.hasOwn(ctor, 'prototype')
      ) {
        return true;
      }
    }
    for (const child of Object.values(value)) pending.push(child);
  }
  return false;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a person counts them (an emoji with its modifiers is one), after trimming. */
export function visibleLength(text: string): number {
  return Array.from(segmenter.segment(text.normalize('NFC').trim())).length;
}

/** Someone the app already knows (a DM partner, a member of a group), to add by name. */
export interface KnownPerson {
  id: string;
  name: string | null;
  phone?: string;
}

/** Phone numbers (or names) typed into one field, separated by commas, semicolons or lines. */
export function parseMemberRefs(text: string): string[] {
  const refs = text
    .split(/[,;\n]+/)
    .map((ref) => ref.trim())
    .filter(Boolean);
  return [...new Set(refs)];
}

/** Spaces, dashes, dots and brackets people put in numbers. */
const PHONE_PUNCTUATION = /[\s\-.()/]/g;

/** An international number: + then 6 to 15 digits (E.164 allows at most 15). */
export function looksLikePhone(ref: string): boolean {
  return /^\+\d{6,15}$/.test(ref.replace(PHONE_PUNCTUATION, ''));
}

export type MemberRefCheck = { ok: true; refs: string[] } | { ok: false; problem: string };

/**
 * Checks what was typed before anything is sent: each entry must be a phone number in
 * international format or the name of exactly one known person (who is sent by id).
 */
export function checkMemberRefs(text: string, known: readonly KnownPerson[] = []): MemberRefCheck {
  const refs: string[] = [];
  for (const ref of parseMemberRefs(text)) {
    if (looksLikePhone(ref)) {
      refs.push(ref);
      continue;
    }
    const matches = known.filter((p) => p.name?.toLocaleLowerCase() === ref.toLocaleLowerCase());
    const unique = new Set(matches.map((p) => p.id));
    const [id] = unique;
    if (unique.size === 1 && id !== undefined) {
      refs.push(id);
      continue;
    }
    return {
      ok: false,
      problem:
        unique.size > 1
          ? `More than one person is called “${ref}”: use their phone number.`
          : `“${ref}” is not a phone number. Use the international format, like +1 415 555 0100${known.length > 0 ? ', or the name of someone in your conversations' : ''}.`,
    };
  }
  return { ok: true, refs: [...new Set(refs)] };
}

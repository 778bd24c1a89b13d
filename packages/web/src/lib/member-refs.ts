/** Phone numbers (or user ids) typed into one field, separated by commas, semicolons or lines. */
export function parseMemberRefs(text: string): string[] {
  const refs = text
    .split(/[,;\n]+/)
    .map((ref) => ref.trim())
    .filter(Boolean);
  return [...new Set(refs)];
}

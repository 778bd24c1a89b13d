import type { Membership } from '../db/schema.js';

/**
 * Who sees what of whom, in one place (README, "Privacy"). The rules follow what people expect of
 * Signal and WhatsApp:
 *
 * - A member's name and number show to the others in a room once that member has accepted it
 *   (made it, accepted a request or invitation, replied, or was added under their "everyone"
 *   setting). Until then the person who added them sees only the number they typed.
 * - Presence and last seen show only between two people who both accepted their direct
 *   conversation; blocking someone leaves that conversation, so it stops both ways.
 * - A declined request or invitation looks pending to the others, for ever: a sender never learns
 *   whether the number has an account, saw the request, said no or blocked them.
 */

/** The membership fields the rules read. */
export type MemberFacts = Pick<Membership, 'user_id' | 'state' | 'accepted_at' | 'invited_by'>;

/** Whether `viewerId` may see the member's name (and, with `numberShown`, their number). */
export function profileShown(member: MemberFacts, viewerId: string): boolean {
  return member.user_id === viewerId || member.accepted_at !== null;
}

/** Whether `viewerId` may see the member's number: as the name, or having typed it themselves. */
export function numberShown(member: MemberFacts, viewerId: string): boolean {
  return profileShown(member, viewerId) || member.invited_by === viewerId;
}

/** How the others see a member's state: declined looks pending. */
export function shownStatus(member: Pick<Membership, 'state'>): 'active' | 'pending' {
  return member.state === 'active' ? 'active' : 'pending';
}

/** Whether presence flows between the two members of a direct room. */
export function presenceShared(
  a: Pick<Membership, 'state'>,
  b: Pick<Membership, 'state'>,
): boolean {
  return a.state === 'active' && b.state === 'active';
}

import type { SalonClient } from '@salon/client';

/**
 * The SDK's view types, derived from SalonClient's public members so the app depends on nothing
 * but the class itself (and SalonApiError).
 */
export type Conversation = ReturnType<SalonClient['conversation']>;
export type ClientMessage = Conversation['messages'][number];
export type UserRef = Conversation['typingUsers'][number];
export type MemberView = Conversation['members'][number];
export type RoomSummary = SalonClient['rooms'][number];
export type RoomDetail = Awaited<ReturnType<SalonClient['roomDetail']>>;
export type UserView = NonNullable<SalonClient['me']>;
export type ConnectionStatus = SalonClient['status'];
export type BlockedPerson = Awaited<ReturnType<SalonClient['blocked']>>[number];
export type Contact = Awaited<ReturnType<SalonClient['contacts']>>[number];

import type {
  ChannelErrorPayload,
  MessageView,
  RoomDetail,
  RoomEvent,
  RoomSummary,
  UserEvent,
} from '@salon/protocol';
import { PROTOCOL_V1 } from '@salon/protocol';
import { expect } from 'vitest';
import { RawClient, type Frame } from '../cable/helpers/raw-client.js';
import { api, signIn, testPhone, type ServerAddress } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Chat-level helpers over the real server: people signed in through the real HTTP flow, and a
 * WebSocket client (the cable tests' RawClient) that speaks RoomChannel and UserChannel.
 */

export interface Person {
  id: string;
  token: string;
  phone: string;
  name: string;
}

/** Signs a new person in (real OTP flow) and gives them a display name. */
export async function person(
  server: ServerAddress,
  name: string,
  phone = testPhone(),
): Promise<Person> {
  const s = await signIn(server, phone, name);
  return { id: s.user.id, token: s.token, phone, name };
}

export const roomIdentifier = (roomId: string): string =>
  JSON.stringify({ channel: 'RoomChannel', room: roomId });
export const USER_IDENTIFIER = JSON.stringify({ channel: 'UserChannel' });

/** What a RoomChannel subscription may carry: room events and the channel's error frames. */
export type RoomFrame = RoomEvent | ChannelErrorPayload;

/** A data frame's payload, or undefined for protocol frames (welcome, ping, confirm…). */
function payloadOf(f: Frame): { type?: unknown } | undefined {
  if (f.type !== undefined || f.identifier === undefined) return undefined;
  const m = f.message;
  return typeof m === 'object' && m !== null ? m : undefined;
}

/** One live cable connection of one person. Closed when the test ends (RawClient does it). */
export class ChatClient {
  readonly raw: RawClient;
  readonly who: Person;

  private constructor(raw: RawClient, who: Person) {
    this.raw = raw;
    this.who = who;
  }

  /** Connects with `Authorization: Bearer` and waits for the welcome. */
  static async connect(
    server: ServerAddress,
    who: Person,
    protocol: string = PROTOCOL_V1,
  ): Promise<ChatClient> {
    const raw = await RawClient.open(`${server.wsUrl}/cable`, {
      protocols: protocol,
      headers: { authorization: `Bearer ${who.token}` },
    });
    await raw.nextFrame((f) => f.type === 'welcome');
    return new ChatClient(raw, who);
  }

  /** Subscribes to the room and waits for the confirmation (throws if rejected). */
  async joinRoom(roomId: string): Promise<void> {
    await this.raw.subscribed(roomIdentifier(roomId));
  }

  /** Subscribes to the room and returns the server's answer: confirmed or rejected. */
  async tryJoinRoom(roomId: string): Promise<'confirm_subscription' | 'reject_subscription'> {
    const id = roomIdentifier(roomId);
    this.raw.subscribe(id);
    const f = await this.raw.nextFrame(
      (x) =>
        x.identifier === id &&
        (x.type === 'confirm_subscription' || x.type === 'reject_subscription'),
    );
    return f.type as 'confirm_subscription' | 'reject_subscription';
  }

  async joinUser(): Promise<void> {
    await this.raw.subscribed(USER_IDENTIFIER);
  }

  perform(roomId: string, action: string, data: object = {}): void {
    this.raw.perform(roomIdentifier(roomId), { action, ...data });
  }

  speak(roomId: string, body: string, clientId: string, extra: object = {}): void {
    this.perform(roomId, 'speak', { body, client_id: clientId, ...extra });
  }

  /** The next room frame of `type` (matching `match`) on the room's subscription. */
  async roomEvent<T extends RoomFrame['type']>(
    roomId: string,
    type: T,
    match: (e: Extract<RoomFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<Extract<RoomFrame, { type: T }>> {
    const id = roomIdentifier(roomId);
    const f = await this.raw.nextFrame((x) => {
      const p = payloadOf(x);
      return (
        x.identifier === id &&
        p?.type === type &&
        match(p as unknown as Extract<RoomFrame, { type: T }>)
      );
    }, timeoutMs);
    return f.message as Extract<RoomFrame, { type: T }>;
  }

  /** The stored message with `clientId`, as broadcast on the room. */
  async message(roomId: string, clientId: string, timeoutMs = 3000): Promise<MessageView> {
    const e = await this.roomEvent(
      roomId,
      'message',
      (m) => m.message.client_id === clientId,
      timeoutMs,
    );
    return e.message;
  }

  /** The next event of `type` on this connection's UserChannel subscription. */
  async userEvent<T extends UserEvent['type']>(
    type: T,
    match: (e: Extract<UserEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<Extract<UserEvent, { type: T }>> {
    const f = await this.raw.nextFrame((x) => {
      const p = payloadOf(x);
      return (
        x.identifier === USER_IDENTIFIER &&
        p?.type === type &&
        match(p as unknown as Extract<UserEvent, { type: T }>)
      );
    }, timeoutMs);
    return f.message as Extract<UserEvent, { type: T }>;
  }

  /** Queued payloads on the room subscription (consumed), in arrival order. */
  takeRoom(roomId: string): RoomFrame[] {
    const id = roomIdentifier(roomId);
    return this.raw
      .take((x) => x.identifier === id && payloadOf(x) !== undefined)
      .map((f) => f.message as RoomFrame);
  }

  /**
   * Asserts that nothing matching arrives within `windowMs`. The only fixed wait in these
   * tests: absence cannot be awaited, so callers keep the window short (≤ 300 ms).
   */
  async expectNothing(predicate: (f: Frame) => boolean, windowMs: number): Promise<void> {
    await expect(this.raw.nextFrame(predicate, windowMs)).rejects.toThrow(/no matching frame/);
  }

  /** Anything at all on the room's subscription (data or protocol frame). */
  static onRoom(roomId: string): (f: Frame) => boolean {
    const id = roomIdentifier(roomId);
    return (f) => f.identifier === id && payloadOf(f) !== undefined;
  }

  close(): void {
    this.raw.close();
  }
}

// ------------------------------------------------------------------ HTTP shortcuts

/** Asserts the status and returns the body, with the body in the failure message. */
export async function ok<T>(
  server: ServerAddress,
  method: string,
  path: string,
  body: unknown,
  token: string,
  status = 200,
): Promise<T> {
  const res = await api(server, method, path, body, token);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body as T;
}

/**
 * A group made over HTTP, once its "created" event is stored: that event is the room's seq 1,
 * so the first message in a new group is seq 2.
 */
export async function createGroup(
  server: ServerAddress,
  owner: Person,
  name: string,
  members: readonly string[],
): Promise<RoomDetail> {
  const b = await ok<{ room: RoomDetail }>(
    server,
    'POST',
    '/api/rooms',
    { name, members },
    owner.token,
    201,
  );
  await waitFor(
    'the group’s created event',
    async () => (await timeline(server, owner, b.room.id)).length > 0,
  );
  return b.room;
}

export async function openDm(
  server: ServerAddress,
  me: Person,
  other: { phone: string } | { user_id: string },
  status = 201,
): Promise<RoomDetail> {
  return (await ok<{ room: RoomDetail }>(server, 'POST', '/api/dms', other, me.token, status)).room;
}

/**
 * A direct conversation both people accepted: `me` opens it, `other` accepts the request (two
 * strangers' first DM is a request until the other replies or accepts).
 */
export async function acceptedDm(
  server: ServerAddress,
  me: Person,
  other: Person,
): Promise<RoomDetail> {
  const room = await openDm(server, me, { user_id: other.id });
  // People who share an accepted room are in at once: nothing to accept then.
  const res = await api(server, 'POST', `/api/rooms/${room.id}/accept`, {}, other.token);
  expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
  return room;
}

export async function postMessage(
  server: ServerAddress,
  who: Person,
  roomId: string,
  body: string,
  clientId: string,
  status = 201,
): Promise<MessageView> {
  const b = await ok<{ message: MessageView }>(
    server,
    'POST',
    `/api/rooms/${roomId}/messages`,
    { body, client_id: clientId },
    who.token,
    status,
  );
  return b.message;
}

/**
 * What people wrote in a room (GET …/messages), without the group events of the timeline ("Ana
 * added Ben"): most tests are about messages; `timeline` has both.
 */
export async function history(
  server: ServerAddress,
  who: Person,
  roomId: string,
  query = '',
): Promise<MessageView[]> {
  return (await timeline(server, who, roomId, query)).filter((m) => m.kind === 'text');
}

/** Everything in a room's history: messages and group events, in seq order. */
export async function timeline(
  server: ServerAddress,
  who: Person,
  roomId: string,
  query = '',
): Promise<MessageView[]> {
  const b = await ok<{ messages: MessageView[] }>(
    server,
    'GET',
    `/api/rooms/${roomId}/messages${query}`,
    undefined,
    who.token,
  );
  return b.messages;
}

export async function roomsOf(server: ServerAddress, who: Person): Promise<RoomSummary[]> {
  return (await ok<{ rooms: RoomSummary[] }>(server, 'GET', '/api/rooms', undefined, who.token))
    .rooms;
}

export async function summaryOf(
  server: ServerAddress,
  who: Person,
  roomId: string,
): Promise<RoomSummary | undefined> {
  return (await roomsOf(server, who)).find((r) => r.id === roomId);
}

/** The error code of a JSON error answer. */
export const codeOf = (body: unknown): string | undefined =>
  (body as { error?: { code?: string } } | undefined)?.error?.code;

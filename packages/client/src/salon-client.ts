import type {
  BlockedUserView,
  ContactView,
  GroupAdds,
  MemberView,
  MeView,
  MessageView,
  PresenceChange,
  RoomDetail,
  RoomEvent,
  RoomSummary,
  RoomsPage,
  UserEvent,
  VerifyResponse,
} from '@salon/protocol/wire';
import { ApiClient, SalonApiError } from './api-client.js';
import type { CableLink, InboxChannel } from './cable-link.js';
import { Conversation } from './conversation.js';
import { Listeners } from './emitter.js';
import type { InboxEvent } from './inbox-event.js';
import type { ConnectionStatus, SalonClientOptions, Unsubscribe } from './types.js';

/**
 * The live connection's code (@anycable/core, the transports, the inbox's event checks), loaded
 * on the first start(): a signed-out page, or the sign-in screen, never needs it, and a browser
 * app's first screen loads that much less.
 */
type CableModule = typeof import('./cable-link.js');
let cableModule: Promise<CableModule> | undefined;
function loadCableModule(): Promise<CableModule> {
  cableModule ??= import('./cable-link.js').catch((err: unknown) => {
    // Not kept: the next start() tries again (the network may be back).
    cableModule = undefined;
    throw err;
  });
  return cableModule;
}

interface Presence {
  online: boolean;
  last_seen_at: string | null;
}

/**
 * Salon's client: sign-in, the conversation list, conversations, presence, all live over one
 * connection that reconnects by itself and recovers what it missed. Every getter returns an
 * immutable snapshot that changes identity when its content changes.
 */
export class SalonClient {
  readonly #api: ApiClient;
  readonly #opts: SalonClientOptions;
  #link: CableLink | undefined;
  #me: MeView | null = null;
  #rooms: RoomSummary[] = [];
  /** Where the next page of the list starts; null once the whole list is loaded. */
  #roomsCursor: string | null = null;
  /** The inbox subscription of the current connection (a new one after stop() and start()). */
  #inbox: InboxChannel | undefined;
  readonly #conversations = new Map<string, Conversation>();
  readonly #presence = new Map<string, Presence>();
  /** Rooms being fetched because something happened in them before they were listed. */
  readonly #fetching = new Set<string>();
  readonly #roomListeners = new Listeners();
  readonly #statusListeners = new Listeners<[ConnectionStatus]>();
  readonly #meListeners = new Listeners();
  #status: ConnectionStatus = { state: 'idle', transport: null };
  /** True once a started connection was stopped: a later start() must catch up. */
  #stopped = false;
  /** Between start() and stop(): the connection should be open (its code may still be loading). */
  #running = false;

  constructor(opts: SalonClientOptions) {
    this.#opts = opts;
    const browser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
    this.#api = new ApiClient({
      baseUrl: opts.baseUrl,
      auth: opts.auth ?? (browser ? 'cookie' : 'token'),
      token: opts.token,
    });
  }

  // ------------------------------------------------------------ sign-in and me

  get me(): MeView | null {
    return this.#me;
  }

  get token(): string | undefined {
    return this.#api.token;
  }

  onMe(listener: () => void): Unsubscribe {
    return this.#meListeners.add(listener);
  }

  /** Asks the server to text a one-time code to `phone` (international format). */
  async requestCode(phone: string): Promise<void> {
    await this.#api.request('POST', '/api/auth/otp', { phone });
  }

  /** Signs in with the code; `name` is null on a first sign-in (ask for it, then `updateName`). */
  async verify(phone: string, code: string): Promise<MeView> {
    const res = await this.#api.request<VerifyResponse>('POST', '/api/auth/verify', {
      phone,
      code,
    });
    this.#api.token = res.token;
    this.#opts.onToken?.(res.token);
    this.#setMe(res.user);
    return res.user;
  }

  /** The signed-in user, or null when the session is missing or over. */
  async loadMe(): Promise<MeView | null> {
    try {
      const res = await this.#api.request<{ user: MeView }>('GET', '/api/me');
      this.#setMe(res.user);
    } catch (err) {
      if (err instanceof SalonApiError && err.status === 401) this.#setMe(null);
      else throw err;
    }
    return this.#me;
  }

  async updateName(name: string): Promise<MeView> {
    return this.#updateMe({ name });
  }

  /** Who may add me to groups directly (others' additions arrive as invitations). */
  async setGroupAdds(groupAdds: GroupAdds): Promise<MeView> {
    return this.#updateMe({ group_adds: groupAdds });
  }

  async #updateMe(body: { name?: string; group_adds?: GroupAdds }): Promise<MeView> {
    const res = await this.#api.request<{ user: MeView }>('PATCH', '/api/me', body);
    this.#setMe(res.user);
    return res.user;
  }

  async logout(): Promise<void> {
    this.stop();
    try {
      await this.#api.request('POST', '/api/auth/logout');
    } finally {
      this.#api.token = undefined;
      this.#opts.onToken?.(null);
      this.#setMe(null);
      this.#rooms = [];
      this.#conversations.clear();
      this.#roomListeners.emit();
    }
  }

  // ------------------------------------------------------------ the connection

  get status(): ConnectionStatus {
    return this.#status;
  }

  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe {
    return this.#statusListeners.add(listener);
  }

  /** Opens the live connection and loads the conversation list (after sign-in). */
  start(): void {
    this.#running = true;
    if (!this.#link) this.#set({ state: 'connecting', transport: null });
    loadCableModule().then(
      (cable) => {
        // stop() while the code was loading: nothing to open.
        if (this.#running) this.#startLink(cable);
      },
      () => {
        // The code could not be fetched (offline with no cached copy): nothing can connect.
        if (this.#running) this.#set({ state: 'disconnected', transport: null });
      },
    );
    void this.refreshRooms().catch(() => undefined);
  }

  #startLink({ CableLink }: CableModule): void {
    if (!this.#link) {
      const link = new CableLink(this.#api, {
        WebSocket: this.#opts.WebSocket,
        transports: this.#opts.transports ?? ['websocket', 'long_polling'],
      });
      link.onStatus((status) => this.#set(status));
      link.onReconnect(() => void this.#recover());
      if (this.#stopped) {
        // Started again after stop(): what happened meanwhile is missed like after a drop.
        const off = link.onStatus((status) => {
          if (status.state !== 'connected') return;
          off();
          void this.#recover();
        });
      }
      this.#link = link;
      this.#inbox = link.subscribeInbox((event) => this.#onInboxEvent(event));
      this.#inbox.on('connect', () => {
        // Whatever happened before the subscription stood (a DM opened with us meanwhile) is in
        // the list the server gives now; sends made before it stood go now.
        void this.refreshRooms().catch(() => undefined);
        for (const conv of this.#conversations.values()) conv.handleFeedConnected();
      });
    }
    this.#link.start();
  }

  #set(status: ConnectionStatus): void {
    if (status.state === this.#status.state && status.transport === this.#status.transport) return;
    this.#status = status;
    this.#statusListeners.emit(status);
  }

  stop(): void {
    this.#running = false;
    if (this.#link) this.#stopped = true;
    this.#link?.stop();
    this.#link = undefined;
    this.#inbox = undefined;
    this.#set({ state: 'idle', transport: null });
  }

  // ------------------------------------------------------------ rooms

  get rooms(): readonly RoomSummary[] {
    return this.#rooms;
  }

  onRooms(listener: () => void): Unsubscribe {
    return this.#roomListeners.add(listener);
  }

  presence(userId: string): Presence | undefined {
    return this.#presence.get(userId);
  }

  /** Whether the list has more conversations than loaded (see `loadMoreRooms`). */
  get hasMoreRooms(): boolean {
    return this.#roomsCursor !== null;
  }

  /**
   * Reloads the list's first page (the newest conversations); older pages load again on demand
   * (`loadMoreRooms`), so that nothing stale lingers after a reconnect.
   */
  async refreshRooms(): Promise<void> {
    const res = await this.#api.request<RoomsPage>('GET', `/api/rooms?limit=${String(ROOM_PAGE)}`);
    this.#rooms = sortRooms(res.rooms);
    this.#roomsCursor = res.next_cursor;
    for (const room of res.rooms) this.#track(room);
    this.#roomListeners.emit();
  }

  /** Loads the next page of older conversations. */
  async loadMoreRooms(): Promise<void> {
    if (this.#roomsCursor === null) return;
    const res = await this.#api.request<RoomsPage>(
      'GET',
      `/api/rooms?limit=${String(ROOM_PAGE)}&cursor=${encodeURIComponent(this.#roomsCursor)}`,
    );
    const known = new Set(this.#rooms.map((r) => r.id));
    this.#rooms = sortRooms([...this.#rooms, ...res.rooms.filter((r) => !known.has(r.id))]);
    this.#roomsCursor = res.next_cursor;
    for (const room of res.rooms) this.#track(room);
    this.#roomListeners.emit();
  }

  /** Accepts a message request or group invitation. */
  async accept(roomId: string): Promise<RoomDetail> {
    const res = await this.#api.request<{ room: RoomDetail }>(
      'POST',
      `/api/rooms/${encodeURIComponent(roomId)}/accept`,
      {},
    );
    this.#upsertRoom(res.room);
    return res.room;
  }

  /** Declines a request or invitation (the sender is not told); `block` also blocks them. */
  async decline(roomId: string, opts: { block?: boolean } = {}): Promise<void> {
    await this.#api.request('POST', `/api/rooms/${encodeURIComponent(roomId)}/decline`, {
      block: opts.block ?? false,
    });
    this.#dropRoom(roomId);
  }

  /** Blocks someone: our direct conversation is left, and they can no longer reach me. */
  async block(userId: string): Promise<void> {
    await this.#api.request('POST', '/api/blocks', { user_id: userId });
  }

  async unblock(userId: string): Promise<void> {
    await this.#api.request('DELETE', `/api/blocks/${encodeURIComponent(userId)}`);
  }

  async blocked(): Promise<BlockedUserView[]> {
    return (await this.#api.request<{ blocked: BlockedUserView[] }>('GET', '/api/blocks')).blocked;
  }

  /** People I share an accepted room with, by name or number. */
  async contacts(query = '', limit = 20): Promise<ContactView[]> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (query.trim() !== '') q.set('q', query.trim());
    return (
      await this.#api.request<{ contacts: ContactView[] }>('GET', `/api/contacts?${q.toString()}`)
    ).contacts;
  }

  async openDm(ref: { phone: string } | { userId: string }): Promise<RoomDetail> {
    const body = 'phone' in ref ? { phone: ref.phone } : { user_id: ref.userId };
    const res = await this.#api.request<{ room: RoomDetail }>('POST', '/api/dms', body);
    this.#upsertRoom(res.room);
    return res.room;
  }

  async createGroup(name: string, members: string[]): Promise<RoomDetail> {
    const res = await this.#api.request<{ room: RoomDetail }>('POST', '/api/rooms', {
      name,
      members,
    });
    this.#upsertRoom(res.room);
    return res.room;
  }

  async roomDetail(roomId: string): Promise<RoomDetail> {
    return (
      await this.#api.request<{ room: RoomDetail }>(
        'GET',
        `/api/rooms/${encodeURIComponent(roomId)}`,
      )
    ).room;
  }

  async addMembers(roomId: string, refs: string[]): Promise<RoomDetail> {
    return (
      await this.#api.request<{ room: RoomDetail }>(
        'POST',
        `/api/rooms/${encodeURIComponent(roomId)}/members`,
        { members: refs },
      )
    ).room;
  }

  async removeMember(roomId: string, userId: string): Promise<void> {
    await this.#api.request(
      'DELETE',
      `/api/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}`,
    );
  }

  async leave(roomId: string): Promise<void> {
    await this.removeMember(roomId, 'me');
    this.#dropRoom(roomId);
  }

  async rename(roomId: string, name: string): Promise<RoomDetail> {
    const res = await this.#api.request<{ room: RoomDetail }>(
      'PATCH',
      `/api/rooms/${encodeURIComponent(roomId)}`,
      { name },
    );
    this.#patchRoom(roomId, { name: res.room.name });
    return res.room;
  }

  /** The live conversation of `roomId`; call `close()` on it when the view goes away. */
  conversation(roomId: string): Conversation {
    let conv = this.#conversations.get(roomId);
    if (!conv) {
      conv = new Conversation(roomId, {
        api: this.#api,
        myId: () => this.#me?.id ?? '',
        // The inbox is looked up on each use: stop() and start() replace it.
        perform: async (action, data) => {
          if (!this.#inbox) throw new Error('not connected');
          await this.#inbox.perform(action, { room: roomId, ...data });
        },
        connected: () => this.#status.state === 'connected' && this.#inbox?.state === 'connected',
        onStored: (m) => this.#onStored(m),
        onClosed: () => undefined,
      });
      this.#conversations.set(roomId, conv);
    }
    conv.retain();
    void conv.load().catch(() => undefined);
    return conv;
  }

  // ------------------------------------------------------------ internals

  #setMe(me: MeView | null): void {
    this.#me = me;
    this.#meListeners.emit();
  }

  #onInboxEvent(event: InboxEvent): void {
    switch (event.type) {
      case 'message':
      case 'message_edited':
      case 'message_deleted':
        this.#onRoomEvent(event.message.room_id, event);
        return;
      case 'read':
        // Arrives twice for one's own reads (the room's stream and one's private stream): both
        // handlers only move marks forward.
        this.#onRoomEvent(event.room_id, event);
        return;
      case 'typing':
      case 'member_added':
      case 'member_removed':
      case 'member_updated':
      case 'room_renamed':
      case 'presence':
        this.#onRoomEvent(event.room_id, event);
        return;
      case 'error':
        // An action on one room failed; a failed send names its client_id.
        if (event.client_id !== undefined)
          for (const conv of this.#conversations.values()) conv.handleEvent(event);
        return;
      default:
        this.#onUserEvent(event);
    }
  }

  #onRoomEvent(roomId: string, event: RoomEvent): void {
    this.#conversations.get(roomId)?.handleEvent(event);
    if (event.type === 'message' && !this.#conversations.has(roomId)) this.#onStored(event.message);
    if (event.type === 'room_renamed') this.#patchRoom(roomId, { name: event.name });
    if (event.type === 'presence') this.#onPresence(event.users);
    if (event.type === 'member_updated') this.#onMemberUpdated(roomId, event.member);
    if (event.type === 'read' && event.user_id === this.#me?.id) this.#onMyRead(roomId, event.seq);
  }

  #onUserEvent(event: Exclude<UserEvent, { type: 'read' | 'room_renamed' }>): void {
    switch (event.type) {
      case 'room_added':
        this.#upsertRoom(event.room);
        return;
      case 'room_removed':
        this.#dropRoom(event.room_id);
        return;
      case 'message_ack':
        this.#conversations.get(event.message.room_id)?.handleAck(event.message);
        return;
      case 'message_failed':
        this.#conversations
          .get(event.room_id)
          ?.handleFailure(event.client_id, event.code, event.message);
        return;
    }
  }

  /** A DM partner accepted (or renamed themselves): the list shows who they are now. */
  #onMemberUpdated(roomId: string, member: MemberView): void {
    const room = this.#rooms.find((r) => r.id === roomId);
    if (room?.kind !== 'direct' || room.other?.id !== member.id) return;
    this.#presence.set(member.id, { online: member.online, last_seen_at: member.last_seen_at });
    this.#patchRoom(roomId, {
      name: member.name ?? (member.phone === '' ? room.name : member.phone),
      other: {
        ...room.other,
        name: member.name,
        status: member.status,
        online: member.online,
        last_seen_at: member.last_seen_at,
      },
    });
  }

  #onPresence(changes: readonly PresenceChange[]): void {
    const byUser = new Map(changes.map((c) => [c.user_id, c]));
    for (const c of changes)
      this.#presence.set(c.user_id, { online: c.online, last_seen_at: c.last_seen_at });
    this.#rooms = this.#rooms.map((r) => {
      const c = r.other ? byUser.get(r.other.id) : undefined;
      return r.other && c
        ? { ...r, other: { ...r.other, online: c.online, last_seen_at: c.last_seen_at } }
        : r;
    });
    this.#roomListeners.emit();
  }

  /** Keeps the list's last message, order and unread count in step with stored messages. */
  #onStored(message: MessageView): void {
    const room = this.#rooms.find((r) => r.id === message.room_id);
    if (!room) {
      // A room on a page not loaded (or not yet listed): it moves to the top, so fetch it.
      void this.#fetchRoom(message.room_id);
      return;
    }
    if (message.seq <= room.last_seq) return;
    const mine = message.sender.id === this.#me?.id;
    this.#patchRoom(room.id, {
      last_message: message,
      last_seq: message.seq,
      last_activity_at: message.created_at,
      // Group events ("Ana added Ben") are not something to read, as the server counts.
      unread_count: mine ? 0 : room.unread_count + (message.kind === 'text' ? 1 : 0),
      last_read_seq: mine ? message.seq : room.last_read_seq,
    });
  }

  #onMyRead(roomId: string, seq: number): void {
    const room = this.#rooms.find((r) => r.id === roomId);
    if (!room || seq <= room.last_read_seq) return;
    if (seq >= room.last_seq) {
      this.#patchRoom(roomId, { last_read_seq: seq, unread_count: 0 });
    } else {
      // Part-way: only the server can count what remains.
      void this.refreshRooms().catch(() => undefined);
    }
  }

  async #fetchRoom(roomId: string): Promise<void> {
    if (this.#fetching.has(roomId)) return;
    this.#fetching.add(roomId);
    try {
      this.#upsertRoom(await this.roomDetail(roomId));
    } catch {
      // Gone meanwhile, or offline: the next refresh brings the list up to date.
    } finally {
      this.#fetching.delete(roomId);
    }
  }

  #upsertRoom(room: RoomSummary): void {
    const summary: RoomSummary = { ...room };
    delete (summary as Partial<RoomDetail>).members;
    this.#rooms = sortRooms([...this.#rooms.filter((r) => r.id !== room.id), summary]);
    this.#track(room);
    this.#roomListeners.emit();
  }

  /** Takes a listed room's DM partner's presence as the list says. */
  #track(room: RoomSummary): void {
    if (room.other) {
      this.#presence.set(room.other.id, {
        online: room.other.online,
        last_seen_at: room.other.last_seen_at,
      });
    }
  }

  #patchRoom(roomId: string, patch: Partial<RoomSummary>): void {
    this.#rooms = sortRooms(this.#rooms.map((r) => (r.id === roomId ? { ...r, ...patch } : r)));
    this.#roomListeners.emit();
  }

  #dropRoom(roomId: string): void {
    this.#conversations.delete(roomId);
    this.#rooms = this.#rooms.filter((r) => r.id !== roomId);
    this.#roomListeners.emit();
  }

  /** After a reconnect: the list and every loaded conversation catch up from the server. */
  async #recover(): Promise<void> {
    await this.refreshRooms().catch(() => undefined);
    await Promise.all(
      [...this.#conversations.values()].map((c) => c.catchUp().catch(() => undefined)),
    );
  }
}

/** Conversations per page of the list. */
const ROOM_PAGE = 50;

/** The server's order: newest activity first, then by id, descending. */
function compareRooms(a: RoomSummary, b: RoomSummary): number {
  return b.last_activity_at.localeCompare(a.last_activity_at) || b.id.localeCompare(a.id);
}

function sortRooms(rooms: RoomSummary[]): RoomSummary[] {
  return [...rooms].sort(compareRooms);
}

import type {
  ChannelErrorPayload,
  MemberView,
  MessageView,
  RoomEvent,
  UserRef,
} from '@salon/protocol/wire';
import type { ApiClient } from './api-client.js';
import { Listeners } from './emitter.js';
import type { ClientMessage, Unsubscribe } from './types.js';

/** How long a send may stay unacknowledged while connected before it shows as failed, ms. */
const ACK_TIMEOUT_MS = 15_000;
const TYPING_THROTTLE_MS = 2_000;
const PAGE = 50;
/** How long a hole in the live feed may last before the REST history is asked to fill it. */
const GAP_GRACE_MS = 500;

export interface ConversationHost {
  api: ApiClient;
  myId(): string;
  /** Performs a room action over the live connection (rejects when there is none). */
  perform(action: string, data: Record<string, unknown>): Promise<void>;
  connected(): boolean;
  /** Stored messages seen (also for the conversation list's last message and unread count). */
  onStored(message: MessageView): void;
  onClosed(): void;
}

/**
 * One conversation as a client sees it: stored messages in seq order without gaps or repeats
 * (live broadcasts, history pages and post-reconnect catch-up are merged by seq), then the
 * user's own messages still on their way, with their state.
 */
export class Conversation {
  readonly roomId: string;
  readonly #host: ConversationHost;
  readonly #stored = new Map<number, MessageView>();
  readonly #pending = new Map<string, ClientMessage>();
  readonly #ackTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Who is typing; `afterSeq`: the newest message held when their notice came. */
  readonly #typing = new Map<
    string,
    { user: UserRef; timer: ReturnType<typeof setTimeout>; afterSeq: number }
  >();
  readonly #listeners = new Listeners();
  #members: MemberView[] = [];
  #readMarks = new Map<string, number>();
  /**
   * My read mark as the server has it (member list, read events), and the highest mark already
   * asked for. Kept apart from `#readMarks`, which also infers a sender's mark from their own
   * messages: after a removal and a re-addition the server's mark starts again from 0 while
   * one's old messages are still in the history.
   */
  #myServerMark = 0;
  #myRequestedMark = 0;
  #snapshot: ClientMessage[] = [];
  #typingSnapshot: UserRef[] = [];
  #hasOlder = true;
  #lastTypingSent = 0;
  #refs = 0;
  #loading: Promise<void> | undefined;
  /** Holes below this seq were already looked up (one left by a removal stays a hole). */
  #gapCheckedUpTo = 0;
  #gapTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(roomId: string, host: ConversationHost) {
    this.roomId = roomId;
    this.#host = host;
  }

  // ------------------------------------------------------------ state (immutable snapshots)

  get messages(): readonly ClientMessage[] {
    return this.#snapshot;
  }

  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  get typingUsers(): readonly UserRef[] {
    return this.#typingSnapshot;
  }

  get members(): readonly MemberView[] {
    return this.#members;
  }

  /** The highest seq stored here, 0 when none. */
  get newestSeq(): number {
    let max = 0;
    for (const seq of this.#stored.keys()) if (seq > max) max = seq;
    return max;
  }

  /** That member's last read seq (a DM shows "read" when the other's mark reaches a message). */
  readUpTo(userId: string): number {
    return this.#readMarks.get(userId) ?? 0;
  }

  onChange(listener: () => void): Unsubscribe {
    return this.#listeners.add(listener);
  }

  // ------------------------------------------------------------ lifecycle

  /** Loads the newest page and the members (once; later calls share it). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      const [page, members] = await Promise.all([
        this.#host.api.request<{ messages: MessageView[] }>(
          'GET',
          `/api/rooms/${enc(this.roomId)}/messages?limit=${String(PAGE)}`,
        ),
        this.#host.api.request<{ members: MemberView[] }>(
          'GET',
          `/api/rooms/${enc(this.roomId)}/members`,
        ),
      ]);
      this.#setMembers(members.members);
      this.#hasOlder = page.messages.length === PAGE;
      for (const m of page.messages) this.#store(m);
      this.#changed();
    })();
    return this.#loading;
  }

  /** Fetches everything after the newest stored seq: what a reconnect may have missed. */
  async catchUp(): Promise<void> {
    if (this.#loading === undefined) return;
    await this.#loading.catch(() => undefined);
    for (;;) {
      const after = this.newestSeq;
      const page = await this.#host.api.request<{ messages: MessageView[] }>(
        'GET',
        `/api/rooms/${enc(this.roomId)}/messages?after=${String(after)}&limit=200`,
      );
      for (const m of page.messages) this.#store(m);
      if (page.messages.length < 200) break;
    }
    const members = await this.#host.api.request<{ members: MemberView[] }>(
      'GET',
      `/api/rooms/${enc(this.roomId)}/members`,
    );
    this.#setMembers(members.members);
    // A read mark sent on the connection that dropped may never have arrived (the server's list
    // says what it has): it goes again, or the others would see this conversation unread.
    if (this.#myRequestedMark > this.#myServerMark) {
      const seq = this.#myRequestedMark;
      this.#myRequestedMark = this.#myServerMark;
      this.markRead(seq);
    }
    // Sends that were waiting for the connection go now (same client_id: never stored twice).
    for (const m of this.#pending.values()) if (m.status === 'sending') this.#transmit(m);
    this.#changed();
  }

  #scheduleGapFill(): void {
    if (this.#gapTimer !== undefined) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      this.#fillGaps().catch(() => undefined);
    }, GAP_GRACE_MS);
  }

  /** Fetches from the first hole between the oldest and the newest message held. */
  async #fillGaps(): Promise<void> {
    const seqs = [...this.#stored.keys()].sort((a, b) => a - b);
    const newest = seqs[seqs.length - 1] ?? 0;
    let after: number | undefined;
    for (let i = 1; i < seqs.length; i++) {
      const prev = seqs[i - 1] ?? 0;
      if (prev >= this.#gapCheckedUpTo && seqs[i] !== prev + 1) {
        after = prev;
        break;
      }
    }
    this.#gapCheckedUpTo = newest;
    while (after !== undefined && after < newest) {
      const page = await this.#host.api.request<{ messages: MessageView[] }>(
        'GET',
        `/api/rooms/${enc(this.roomId)}/messages?after=${String(after)}&limit=200`,
      );
      for (const m of page.messages) this.#store(m);
      after = page.messages.length < 200 ? undefined : page.messages[page.messages.length - 1]?.seq;
    }
    this.#changed();
  }

  async loadOlder(): Promise<void> {
    await this.load();
    if (!this.#hasOlder) return;
    let oldest = Infinity;
    for (const seq of this.#stored.keys()) if (seq < oldest) oldest = seq;
    const before = Number.isFinite(oldest) ? `&before=${String(oldest)}` : '';
    const page = await this.#host.api.request<{ messages: MessageView[] }>(
      'GET',
      `/api/rooms/${enc(this.roomId)}/messages?limit=${String(PAGE)}${before}`,
    );
    this.#hasOlder = page.messages.length === PAGE;
    for (const m of page.messages) this.#store(m);
    this.#changed();
  }

  /** A view holds the conversation; the last release ends nothing (the list keeps the feed). */
  retain(): void {
    this.#refs++;
  }

  close(): void {
    this.#refs = Math.max(0, this.#refs - 1);
    if (this.#refs === 0) this.#host.onClosed();
  }

  get retained(): boolean {
    return this.#refs > 0;
  }

  // ------------------------------------------------------------ actions

  /** Sends optimistically: the message shows at once as `sending`, then `sent` or `failed`. */
  send(body: string, opts: { replyTo?: string | null } = {}): ClientMessage {
    const clientId = newClientId();
    const me = this.#host.myId();
    const message: ClientMessage = {
      id: `pending:${clientId}`,
      client_id: clientId,
      seq: 0,
      room_id: this.roomId,
      kind: 'text',
      event: null,
      sender: { id: me, name: this.#members.find((m) => m.id === me)?.name ?? null },
      body: body.trim(),
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted_at: null,
      reply_to: opts.replyTo ?? null,
      status: 'sending',
    };
    this.#pending.set(clientId, message);
    this.#changed();
    this.#transmit(message);
    return message;
  }

  retry(clientId: string): void {
    const m = this.#pending.get(clientId);
    if (!m || m.status === 'sending') return;
    const again: ClientMessage = { ...m, status: 'sending' };
    delete again.error;
    this.#pending.set(clientId, again);
    this.#changed();
    this.#transmit(again);
  }

  async edit(messageId: string, body: string): Promise<void> {
    const res = await this.#host.api.request<{ message: MessageView }>(
      'PATCH',
      `/api/rooms/${enc(this.roomId)}/messages/${enc(messageId)}`,
      { body },
    );
    this.#replace(res.message);
  }

  async remove(messageId: string): Promise<void> {
    const res = await this.#host.api.request<{ message: MessageView }>(
      'DELETE',
      `/api/rooms/${enc(this.roomId)}/messages/${enc(messageId)}`,
    );
    this.#replace(res.message);
  }

  /**
   * Marks the conversation read up to `seq` (the newest message the person saw; default: the
   * newest stored). Never backwards; a mark the server already has is not sent again.
   */
  markRead(seq: number = this.newestSeq): void {
    const me = this.#host.myId();
    seq = Math.min(Math.floor(seq), this.newestSeq);
    if (seq <= 0 || Math.max(this.#myServerMark, this.#myRequestedMark) >= seq) return;
    this.#myRequestedMark = seq;
    if (this.readUpTo(me) < seq) {
      this.#readMarks.set(me, seq);
      this.#changed();
    }
    if (this.#host.connected()) {
      this.#host.perform('read', { seq }).catch(() => this.#readOverHttp(seq));
    } else {
      this.#readOverHttp(seq);
    }
  }

  /** Call on every keystroke; sends at most one notice per throttle window. */
  typing(): void {
    const now = Date.now();
    if (now - this.#lastTypingSent < TYPING_THROTTLE_MS || !this.#host.connected()) return;
    this.#lastTypingSent = now;
    this.#host.perform('typing', {}).catch(() => undefined);
  }

  // ------------------------------------------------------------ events (from the room feed)

  handleEvent(event: RoomEvent | ChannelErrorPayload): void {
    switch (event.type) {
      case 'message': {
        // A live message past one never seen: the one between was stored but its broadcast was
        // lost (in a cluster, its node died between the two). The REST history fills the hole.
        const skipped = this.#stored.size > 0 && event.message.seq > this.newestSeq + 1;
        this.#store(event.message);
        this.#changed();
        if (skipped) this.#scheduleGapFill();
        return;
      }
      case 'message_edited':
      case 'message_deleted':
        this.#replace(event.message);
        return;
      case 'read':
        if ((this.#readMarks.get(event.user_id) ?? 0) < event.seq)
          this.#readMarks.set(event.user_id, event.seq);
        if (event.user_id === this.#host.myId())
          this.#myServerMark = Math.max(this.#myServerMark, event.seq);
        this.#changed();
        return;
      case 'typing':
        this.#showTyping(event.user, event.expires_in_ms);
        return;
      case 'member_added':
        this.#setMembers([...this.#members.filter((m) => m.id !== event.member.id), event.member]);
        this.#changed();
        return;
      case 'member_removed':
        this.#setMembers(this.#members.filter((m) => m.id !== event.user_id));
        this.#changed();
        return;
      case 'member_updated':
        this.#setMembers(this.#members.map((m) => (m.id === event.member.id ? event.member : m)));
        this.#changed();
        return;
      case 'presence':
        for (const u of event.users) this.updatePresence(u.user_id, u.online, u.last_seen_at);
        return;
      case 'error':
        if (event.client_id !== undefined) this.#fail(event.client_id, event.code, event.message);
        return;
      case 'room_renamed':
        return;
    }
  }

  /**
   * The room's feed is subscribed (again): sends made before it stood, which never left, go now.
   * Those that did leave are sent again by `catchUp()` after a reconnect.
   */
  handleFeedConnected(): void {
    for (const m of this.#pending.values())
      if (m.status === 'sending' && !this.#ackTimers.has(m.client_id)) this.#transmit(m);
  }

  /** A repeated send answered with the message stored the first time. */
  handleAck(message: MessageView): void {
    this.#store(message);
    this.#changed();
  }

  handleFailure(clientId: string, code: string, message: string): void {
    this.#fail(clientId, code, message);
  }

  updatePresence(userId: string, online: boolean, lastSeenAt: string | null): void {
    if (!this.#members.some((m) => m.id === userId)) return;
    this.#setMembers(
      this.#members.map((m) => (m.id === userId ? { ...m, online, last_seen_at: lastSeenAt } : m)),
    );
    this.#changed();
  }

  // ------------------------------------------------------------ internals

  #transmit(message: ClientMessage): void {
    const clearTimer = this.#ackTimers.get(message.client_id);
    if (clearTimer !== undefined) clearTimeout(clearTimer);
    if (!this.#host.connected()) return; // sent by catchUp() after the reconnect
    this.#host
      .perform('speak', {
        body: message.body,
        client_id: message.client_id,
        reply_to: message.reply_to,
      })
      .catch(() => undefined); // stays `sending`; resent after the reconnect
    this.#ackTimers.set(
      message.client_id,
      setTimeout(() => {
        if (this.#pending.get(message.client_id)?.status === 'sending' && this.#host.connected()) {
          this.#fail(message.client_id, 'TIMEOUT', 'The server did not confirm this message.');
        }
      }, ACK_TIMEOUT_MS),
    );
  }

  #fail(clientId: string, code: string, text: string): void {
    const m = this.#pending.get(clientId);
    if (!m) return;
    this.#pending.set(clientId, { ...m, status: 'failed', error: { code, message: text } });
    this.#changed();
  }

  #store(message: MessageView): void {
    this.#stored.set(message.seq, message);
    if (message.sender.id === this.#host.myId()) {
      this.#pending.delete(message.client_id);
      const t = this.#ackTimers.get(message.client_id);
      if (t !== undefined) clearTimeout(t);
      this.#ackTimers.delete(message.client_id);
    }
    // Sending implies having read up to one's own message (the server records it so too).
    if (this.readUpTo(message.sender.id) < message.seq)
      this.#readMarks.set(message.sender.id, message.seq);
    this.#host.onStored(message);
  }

  #replace(message: MessageView): void {
    if (this.#stored.has(message.seq)) this.#stored.set(message.seq, message);
    this.#changed();
  }

  #readOverHttp(seq: number): void {
    this.#host.api
      .request<{ last_read_seq: number }>('POST', `/api/rooms/${enc(this.roomId)}/read`, { seq })
      .then(
        (res) => {
          this.#myServerMark = Math.max(this.#myServerMark, res.last_read_seq);
        },
        () => {
          // Not recorded: the next markRead() asks again.
          if (this.#myRequestedMark === seq) this.#myRequestedMark = this.#myServerMark;
        },
      );
  }

  #setMembers(members: MemberView[]): void {
    this.#members = members;
    const mine = members.find((m) => m.id === this.#host.myId());
    if (mine) this.#myServerMark = Math.max(this.#myServerMark, mine.last_read_seq);
    for (const m of members) {
      if ((this.#readMarks.get(m.id) ?? 0) < m.last_read_seq)
        this.#readMarks.set(m.id, m.last_read_seq);
    }
  }

  #showTyping(user: UserRef, ttlMs: number): void {
    if (user.id === this.#host.myId()) return;
    const previous = this.#typing.get(user.id);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => {
      this.#typing.delete(user.id);
      this.#typingSnapshot = [...this.#typing.values()].map((t) => t.user);
      this.#listeners.emit();
    }, ttlMs);
    this.#typing.set(user.id, { user, timer, afterSeq: this.newestSeq });
    this.#typingSnapshot = [...this.#typing.values()].map((t) => t.user);
    this.#listeners.emit();
  }

  #changed(): void {
    const stored = [...this.#stored.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((m): ClientMessage => ({ ...m, status: 'sent' }));
    // A typing notice ends when that person's next message arrives (not on any later change:
    // a read mark landing after the notice must not end it because their last message is recent).
    for (const m of stored.slice(-5)) {
      const t = this.#typing.get(m.sender.id);
      if (t && m.seq > t.afterSeq) {
        clearTimeout(t.timer);
        this.#typing.delete(m.sender.id);
        this.#typingSnapshot = [...this.#typing.values()].map((x) => x.user);
      }
    }
    this.#snapshot = [...stored, ...this.#pending.values()];
    this.#listeners.emit();
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** 128 random bits; getRandomValues also works on pages that are not a secure context. */
function newClientId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

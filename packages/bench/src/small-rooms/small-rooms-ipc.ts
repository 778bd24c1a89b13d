/** IPC of the small-rooms benchmark (orchestrator ↔ server child, orchestrator ↔ generator). */

/** How the generator's clients reach a target and join room `r` (0-based). */
export type RoomsConnect =
  /** A `ws` relay: `url?room=<r>`; a client's frame is relayed as is to the room. */
  | { protocol: 'relay-ws'; url: string }
  /** Socket.IO 4: `url&room=<r>` joins the room; `m` events are relayed to it. */
  | { protocol: 'socket.io'; url: string }
  /** Salon: member `m` of room `r` signs in with `tokens[r][m]` and subscribes to RoomChannel. */
  | { protocol: 'salon'; url: string; rooms: { id: string; tokens: string[] }[] };

export type RoomsServerCommand = { type: 'start'; rooms: number; members: number };

export type RoomsServerEvent =
  { type: 'ready'; connect: RoomsConnect } | { type: 'failed'; message: string };

export type RoomsGeneratorCommand =
  | { type: 'connect'; connect: RoomsConnect; rooms: number; members: number }
  /**
   * Member 0 of each room speaks once per `period_ms`, the rooms staggered evenly over the
   * period, `count` messages in all; answer `done` when every member has every one (or a
   * deadline passes). `record`: keep the latencies (false for the warm-up).
   */
  | { type: 'run'; count: number; period_ms: number; record: boolean };

export interface RoomsRunReport {
  sent: number;
  /** Deliveries expected: every message to every member of its room, the sender included. */
  expected: number;
  delivered: number;
  /** From each message's intended send time to its arrival at each member. */
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  elapsed_ms: number;
  generator_cpu_share: number;
  max_send_lag_ms: number;
}

export type RoomsGeneratorEvent =
  | { type: 'connected'; elapsed_ms: number }
  | { type: 'done'; report: RoomsRunReport }
  | { type: 'failed'; message: string };

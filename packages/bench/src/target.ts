/** Which server a trial runs. Results and ratios are keyed by this id. */
export type TargetId = 'ws' | 'ws-frame-once' | 'socket.io' | 'salon' | 'salon-speak';

/**
 * One server to compare: a child script that builds its room and answers the orchestrator
 * (see server-child.ts). The script reports, in its `ready` message, how clients connect and join
 * (connect-info.ts); the generator has one client per protocol, so a target that speaks an
 * existing protocol needs nothing but its script.
 */
export interface Target {
  readonly id: TargetId;
  /** Row heading in reports. */
  readonly label: string;
  /** Absolute path of the server child script. */
  readonly serverScript: string;
  /** Why this target cannot run in this checkout, or undefined if it can. */
  unavailable(): Promise<string | undefined>;
}

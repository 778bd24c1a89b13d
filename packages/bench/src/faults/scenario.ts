import type { Ledger } from './ledger.js';
import type { Tally } from './tally.js';

/** What one scenario reports: its counts, what clients saw, and its own checks and notes. */
export interface ScenarioResult {
  name: string;
  /** One sentence: what was done. */
  setup: string;
  tally: Tally;
  seen: Map<string, number>;
  /** Named checks (e.g. "nothing acknowledged lost") and whether they held. */
  checks: { what: string; ok: boolean }[];
  /** Figures and remarks worth keeping (timings, phases). */
  notes: string[];
  seconds: number;
}

export interface Scenario {
  name: string;
  /** Longest the scenario runs before it stops itself (its own bound, cleanup included). */
  boundSeconds: number;
  /** Needs root (mounts, namespaces) or private database servers: said in the help text. */
  needs: string;
  run(args: readonly string[]): Promise<ScenarioResult>;
}

/** The checks every scenario makes on its tally. */
export function standardChecks(t: Tally): { what: string; ok: boolean }[] {
  return [
    { what: 'nothing acknowledged was lost', ok: t.lost === 0 },
    { what: 'no client_id stored twice', ok: t.duplicated === 0 },
  ];
}

export function seenOf(ledger: Ledger): Map<string, number> {
  return new Map([...ledger.seen].sort((a, b) => b[1] - a[1]));
}

import type { BenchConfig } from './bench-config.js';
import type { MachineInfo } from './machine-info.js';
import type { ScenarioSummary } from './summary.js';
import type { TargetId } from './target.js';
import type { TrialResult } from './trial-result.js';

/** A trial that did not produce a result (a child failed, a deadline passed). */
export interface TrialFailure {
  target: TargetId;
  scenario: string;
  run: number;
  error: string;
}

/** Everything one benchmark run wrote: the JSON file is this object. */
export interface ResultsDocument {
  benchmark: 'fanout';
  /** UTC date, YYYY-MM-DD. */
  date: string;
  started_at: string;
  duration_s: number;
  machine: MachineInfo;
  config: BenchConfig;
  baseline: TargetId;
  labels: Partial<Record<TargetId, string>>;
  /** Targets not run, with the reason. */
  skipped: Partial<Record<TargetId, string>>;
  trials: TrialResult[];
  failures: TrialFailure[];
  summary: ScenarioSummary[];
}

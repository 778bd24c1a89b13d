import { QUIET_CORES } from './quiet-machine.js';
import type { TargetId } from './target.js';
import type { FanoutTrialResult, IdleTrialResult, TrialResult } from './trial-result.js';

/** Median with the min-max range over a scenario's runs, and the median as a ratio to the baseline. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  /** median ÷ the baseline target's median; undefined when the baseline has none (or it is 0). */
  ratio: number | undefined;
}

export type FanoutMetric = keyof Omit<
  FanoutTrialResult,
  'kind' | 'target' | 'scenario' | 'run' | 'generator_saturated'
>;
export type IdleMetric = keyof Omit<IdleTrialResult, 'kind' | 'target' | 'scenario' | 'run'>;

export interface ScenarioSummary {
  scenario: string;
  kind: TrialResult['kind'];
  /** Per target, per metric. */
  figures: Partial<Record<TargetId, Record<string, Figure>>>;
  /** Runs per target in which the generator was above the saturation threshold. */
  saturatedRuns: Partial<Record<TargetId, number>>;
  /** Runs per target in which other work used more than QUIET_CORES during the window. */
  noisyRuns: Partial<Record<TargetId, number>>;
  /** Runs per target. */
  runs: Partial<Record<TargetId, number>>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

function numericKeys(trial: TrialResult): string[] {
  return Object.entries(trial)
    .filter(([key, value]) => typeof value === 'number' && key !== 'run')
    .map(([key]) => key);
}

/** Groups trials by scenario (in first-seen order) and target, and summarizes every metric. */
export function summarize(trials: readonly TrialResult[], baseline: TargetId): ScenarioSummary[] {
  const scenarios = [...new Set(trials.map((t) => t.scenario))];
  return scenarios.map((scenario) => {
    const ofScenario = trials.filter((t) => t.scenario === scenario);
    const first = ofScenario[0];
    if (!first) throw new Error('empty scenario');
    const targets = [...new Set(ofScenario.map((t) => t.target))];
    const valuesOf = (target: TargetId, key: string): number[] =>
      ofScenario
        .filter((t) => t.target === target)
        .map((t) => (t as unknown as Record<string, number>)[key] ?? Number.NaN);
    const summary: ScenarioSummary = {
      scenario,
      kind: first.kind,
      figures: {},
      saturatedRuns: {},
      noisyRuns: {},
      runs: {},
    };
    for (const target of targets) {
      const figures: Record<string, Figure> = {};
      for (const key of numericKeys(first)) {
        const values = valuesOf(target, key);
        const base = valuesOf(baseline, key);
        const m = median(values);
        const b = base.length > 0 ? median(base) : Number.NaN;
        figures[key] = {
          median: m,
          min: Math.min(...values),
          max: Math.max(...values),
          ratio: Number.isFinite(b) && b !== 0 ? m / b : undefined,
        };
      }
      summary.figures[target] = figures;
      const own = ofScenario.filter((t) => t.target === target);
      summary.runs[target] = own.length;
      summary.saturatedRuns[target] = own.filter(
        (t) => t.kind === 'fanout' && t.generator_saturated,
      ).length;
      summary.noisyRuns[target] = own.filter(
        (t) => t.kind === 'fanout' && t.other_cpu_cores > QUIET_CORES,
      ).length;
    }
    return summary;
  });
}

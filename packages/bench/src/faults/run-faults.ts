/**
 * Fault scripts: `npm run faults` runs every scenario in turn, `npm run faults -- <name> [args]`
 * one. Each prints, and writes into packages/bench/results/faults-<date>.md, how many messages
 * were acknowledged, stored, lost (acknowledged but not stored) and duplicated, and what the
 * clients saw. Every scenario stops itself within its bound and undoes what it set up (child
 * processes, mounts, namespaces, private database servers), also when it fails or is interrupted.
 * Run as root on a machine of one's own: the scenarios mount file systems and kill processes.
 */
import { cleanUpOnExit, runCleanup } from './cleanup.js';
import { section, writeResult } from './results-file.js';
import type { Scenario } from './scenario.js';
import { cluster } from './scenarios/cluster.js';
import { diskFull } from './scenarios/disk-full.js';
import { killNode } from './scenarios/kill-node.js';
import { partition } from './scenarios/partition.js';
import { soak } from './scenarios/soak.js';

const scenarios: Scenario[] = [diskFull, killNode, cluster, partition, soak];

function usage(): string {
  return [
    'usage: npm run faults [-- <scenario> [args]]',
    '',
    ...scenarios.map(
      (s) => `  ${s.name.padEnd(12)} at most ${String(s.boundSeconds)} s; needs ${s.needs}`,
    ),
  ].join('\n');
}

async function runOne(scenario: Scenario, args: readonly string[]): Promise<boolean> {
  console.log(`\n=== ${scenario.name} (stops itself within ${String(scenario.boundSeconds)} s)`);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${scenario.name} ran past its ${String(scenario.boundSeconds)} s bound`)),
      scenario.boundSeconds * 1000,
    );
  });
  try {
    const result = await Promise.race([scenario.run(args), bound]);
    console.log(section(result));
    console.log(`written to ${writeResult(result)}`);
    return result.checks.every((c) => c.ok);
  } catch (err) {
    console.error(`${scenario.name} failed:`, err instanceof Error ? err.stack : err);
    return false;
  } finally {
    clearTimeout(timer);
    await runCleanup();
  }
}

async function main(): Promise<void> {
  cleanUpOnExit();
  const [name, ...args] = process.argv.slice(2);
  if (name === '--help' || name === '-h') {
    console.log(usage());
    return;
  }
  const chosen = name === undefined ? scenarios : scenarios.filter((s) => s.name === name);
  if (chosen.length === 0) {
    console.error(`no scenario named "${String(name)}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  let ok = true;
  for (const s of chosen) ok = (await runOne(s, name === undefined ? [] : args)) && ok;
  process.exitCode = ok ? 0 : 1;
}

void main().finally(() => {
  // Lingering sockets or timers of a failed scenario must not keep the script alive.
  setTimeout(() => process.exit(), 500).unref();
});

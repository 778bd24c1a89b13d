/**
 * Undo steps (kill a child, unmount a tmpfs, delete a namespace) that run when a scenario ends,
 * fails, or the script is interrupted: a fault script must not leave the machine changed.
 * Steps run last-registered first, each on its own (one failing does not skip the others).
 */
type Step = () => unknown;
const steps: Step[] = [];

export function onCleanup(step: Step): void {
  steps.push(step);
}

export async function runCleanup(): Promise<void> {
  while (steps.length > 0) {
    const step = steps.pop() as Step;
    try {
      await step();
    } catch (err) {
      console.error('cleanup step failed:', err instanceof Error ? err.message : err);
    }
  }
}

let installed = false;
/** Ctrl-C, a kill, or an uncaught error still cleans up before the process ends. */
export function cleanUpOnExit(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void runCleanup().finally(() => process.exit(130));
    });
  }
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

export interface MachineInfo {
  nproc: number;
  cpu_model: string;
  node: string;
  kernel: string;
  ws: string;
  commit: string;
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const wsPackage = createRequire(import.meta.url)('ws/package.json') as { version: string };
  return {
    nproc: Number(tryRun('nproc', [])),
    cpu_model: model.trim(),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    ws: wsPackage.version,
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
  };
}

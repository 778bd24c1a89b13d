import fs from 'node:fs';
import os from 'node:os';
import { expect, test } from 'vitest';
import { lowerThisThreadsPriority } from './thread-priority.js';

/** The calling thread's nice value, from /proc (field 19 of its stat line). */
function threadNice(): number {
  const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16]);
}

test.runIf(os.platform() === 'linux')(
  "lowers the calling thread's priority, not the whole process's",
  () => {
    const processNice = os.getPriority(process.pid);
    const before = threadNice();
    // 1, the least step: this test's own thread keeps running at almost its old priority.
    expect(lowerThisThreadsPriority(Math.max(before, 1))).toBe(true);
    expect(threadNice()).toBe(Math.max(before, 1));
    // Other threads of the process (V8's, libuv's) keep theirs.
    const others = fs
      .readdirSync('/proc/self/task')
      .filter(
        (tid) =>
          tid !== String(process.pid) &&
          tid !== fs.readlinkSync('/proc/thread-self').split('/').pop(),
      );
    for (const tid of others) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(processNice);
    }
  },
);

import { fileURLToPath } from 'node:url';
import type { Target, TargetId } from '../target.js';

const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const available = (): Promise<undefined> => Promise.resolve(undefined);

/** Every target, in run order; the first is the baseline every ratio divides by. */
export const TARGETS: readonly Target[] = [
  {
    id: 'ws',
    label: '(a) ws, send per member',
    serverScript: script('./ws-plain-server.ts'),
    unavailable: available,
  },
  {
    id: 'ws-frame-once',
    label: '(b) ws, frame built once',
    serverScript: script('./ws-frame-once-server.ts'),
    unavailable: available,
  },
  {
    id: 'salon',
    label: '(c) Salon',
    serverScript: script('./salon-server.ts'),
    unavailable: available,
  },
  {
    id: 'salon-speak',
    label: '(d) Salon, speak → stored → broadcast',
    serverScript: script('./salon-speak-server.ts'),
    unavailable: available,
  },
  {
    id: 'socket.io',
    label: '(e) Socket.IO 4, room emit',
    serverScript: script('./socket-io-server.ts'),
    unavailable: available,
  },
];

export const BASELINE: TargetId = 'ws';

export function isTargetId(value: string): value is TargetId {
  return TARGETS.some((t) => t.id === value);
}

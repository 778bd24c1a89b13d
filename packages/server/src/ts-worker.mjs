// Worker threads start without the tsx loader the main thread runs under; this entry registers
// it, then loads the TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);

/** The files below `paths` (each a file or a directory), sorted; absent paths are skipped. */
export function listFiles(paths: readonly string[]): string[];
/** Whether the stamp at `stampFile` exists and every input it names is unchanged. */
export function isFresh(stampFile: string): boolean;
/** Records `files` as the inputs of the output beside `stampFile`, as they are now. */
export function writeStamp(stampFile: string, files: readonly string[]): void;

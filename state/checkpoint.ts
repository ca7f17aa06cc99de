import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { StoreError } from './errors.js';

/** Changelog offsets (next offset to read) per store, saved beside a task's stores. */
export type Checkpoint = Record<string, string>;

/** The checkpoint at `path`, or undefined when there is none (first start, or an unclean stop). */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(`Cannot read checkpoint ${path}`, { cause });
  }
  try {
    return JSON.parse(text) as Checkpoint;
  } catch (cause) {
    throw new StoreError(`Checkpoint ${path} is corrupt`, { cause });
  }
}

/** Atomic replace: a crash leaves the old checkpoint or the new one, never half of one. */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, JSON.stringify(checkpoint));
  await rename(temporary, path);
}

export async function deleteCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}

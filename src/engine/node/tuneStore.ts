// Node-only: the autotuner's choices in a JSON file (one object, key -> value), by default
// $XDG_CACHE_HOME/masklab/autotune.json (~/.cache/...), or $MASKLAB_AUTOTUNE_FILE.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TuneStore } from '../autotune/cache';

/** The file Node keeps autotune choices in. */
export function defaultTuneFile(): string {
  if (process.env.MASKLAB_AUTOTUNE_FILE) return process.env.MASKLAB_AUTOTUNE_FILE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'masklab', 'autotune.json');
}

function read(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const x: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
  } catch {
    // A damaged file is a cache miss: the next choice overwrites it.
    return {};
  }
}

/** A TuneStore in a JSON file, read at every access (another process may have written it) and replaced atomically. */
export function fileTuneStore(file = defaultTuneFile()): TuneStore & { file: string } {
  return {
    file,
    get: (key) => Promise.resolve(read(file)[key]),
    set: (key, value) => {
      const all = read(file);
      all[key] = value;
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(all, null, 1) + '\n');
      renameSync(tmp, file);
      return Promise.resolve();
    },
    values: () => Promise.resolve(Object.values(read(file))),
  };
}

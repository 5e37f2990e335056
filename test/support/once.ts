import { mkdirSync, rmdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Makes something once across the processes that ask for it at the same time (Vitest's workers):
 * the first takes the lock (a directory, created atomically) and makes it; the others wait until
 * it is done. `done` says whether it is already made.
 */
export async function once(lock: string, done: () => boolean, make: () => Promise<void>): Promise<void> {
  if (done()) return;
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 900) throw new Error(`${lock} held for 15 minutes: remove it if nothing is running`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (done()) return;
    }
  }
  try {
    if (!done()) await make();
  } finally {
    rmdirSync(lock);
  }
}

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ManagedTask } from "./managedTask.ts";

const FILE = "engine-state.json";

/** The state file's contents: every managed task by ARN. */
export interface EngineState {
  version: 1;
  tasks: Record<string, ManagedTask>;
}

export async function loadState(dataDir: string): Promise<EngineState> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, FILE), "utf8")) as EngineState;
    if (parsed.version === 1 && parsed.tasks) return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { version: 1, tasks: {} };
}

/**
 * The engine's state file, written atomically (write a temporary file, then rename over the old
 * one), so a crash mid-write leaves the previous version, never half a file. Writes are chained,
 * and each save() resolves once a write that includes every change made before it has landed:
 * the saves that come while a write is under way share the one write queued after it (fifty
 * tasks starting at once save a few hundred times; each write is the whole file).
 */
export function stateWriter(dataDir: string, state: EngineState) {
  let last: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  let counter = 0;
  const write = async () => {
    // From here on, a save() needs a write after this one: this one may miss its changes.
    queued = undefined;
    await mkdir(dataDir, { recursive: true });
    const temp = join(dataDir, `${FILE}.${process.pid}.${counter++}.tmp`);
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, join(dataDir, FILE));
  };
  return {
    save(): Promise<void> {
      if (!queued) {
        queued = last.then(write, write);
        last = queued;
      }
      return queued;
    },
  };
}

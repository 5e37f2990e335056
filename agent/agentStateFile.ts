import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskStateReport } from "./engine/types.ts";

/**
 * The agent's own checkpoint, `agent.json` in the data dir: which container instance it is (so a
 * restarted agent re-registers as the same instance) and the state changes not yet accepted by
 * the control plane (so an outage or a restart loses none). Written to a temporary file and
 * renamed over the old one, so a crash mid-write leaves the previous version whole; mode 0600
 * because it holds the instance's credentials.
 */
export interface AgentState {
  cluster?: string;
  containerInstanceArn?: string;
  /** The container instance's own credentials (agent/join.ts), when it joined with a bootstrap token. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  pending: TaskStateReport[];
}

const DATES = ["pullStartedAt", "pullStoppedAt", "executionStoppedAt"] as const;

export class AgentStateFile {
  readonly path: string;
  private state: AgentState;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.path = join(dataDir, "agent.json");
    this.state = existsSync(this.path) ? decode(readFileSync(this.path, "utf8"), this.path) : { pending: [] };
  }

  get(): AgentState {
    return this.state;
  }

  update(change: Partial<AgentState>): void {
    this.state = { ...this.state, ...change };
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}

function decode(content: string, path: string): AgentState {
  let parsed: AgentState;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new Error(
      `The agent's state file ${path} is not valid JSON (${(error as Error).message}); move it away to start as a new container instance.`,
    );
  }
  // JSON has no dates: bring the report timestamps back to Date, as the engine made them.
  const pending = (parsed.pending ?? []).map((report) => {
    const copy = { ...report };
    for (const key of DATES) if (copy[key] !== undefined) copy[key] = new Date(copy[key] as unknown as string);
    return copy;
  });
  return { ...parsed, pending };
}

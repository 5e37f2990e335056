/**
 * The agent's log: one line per event, with a timestamp and level, on stderr (stdout is left to
 * what the CLI prints for the user). Levels are ECS_LOGLEVEL's; `crit` is for what stops the agent.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "crit";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, crit: 4 };

export type Logger = Record<LogLevel, (message: string) => void>;

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at =
    (l: LogLevel) =>
    (message: string): void => {
      if (RANK[l] >= RANK[level]) write(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} agent: ${message}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), crit: at("crit") };
}

/** An error's message, for a log line (AWS SDK errors carry their code in `name`). */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);

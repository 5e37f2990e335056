import { describeError, type Logger } from "./log.ts";

/**
 * Failures the agent survives and retries, logged once per episode: the first failure at a site
 * is a warning that says what happens next; repeats stay silent (a Docker outage retried every
 * 2 s is one line, not thirty a minute); the first success after them is one line more, saying
 * how long it lasted. A site is a readable, stable name for "this thing, failing".
 */
export interface FailureLog {
  /** A failure at `site`; `next` says what the agent does about it (e.g. "retrying every 2 s"). */
  failed(site: string, error: unknown, next: string): void;
  /** A success at `site`: ends its episode, if one is open. */
  succeeded(site: string): void;
  /** Ends, silently, the open episodes of every site naming `subject` (a task the engine forgot). */
  forget(subject: string): void;
  /** Runs `work` and records the outcome at `site`; a failure resolves to undefined. */
  attempt<T>(site: string, work: () => Promise<T>, next: string): Promise<T | undefined>;
}

export function createFailureLog(log: Logger, now: () => Date = () => new Date()): FailureLog {
  /** Sites failing now: when their episode began, and how many failures it has had. */
  const open = new Map<string, { since: number; failures: number }>();

  const failureLog: FailureLog = {
    failed(site, error, next) {
      const episode = open.get(site);
      if (episode) {
        episode.failures++;
        return;
      }
      open.set(site, { since: now().getTime(), failures: 1 });
      log.warn(`${site} failed (${describeError(error)}); ${next}. Repeats are not logged until it works again.`);
    },

    succeeded(site) {
      const episode = open.get(site);
      if (!episode) return;
      open.delete(site);
      const seconds = Math.round((now().getTime() - episode.since) / 1000);
      log.info(`${site} works again, after ${episode.failures} failure(s) over ${seconds} s.`);
    },

    forget(subject) {
      for (const site of open.keys()) if (site.includes(subject)) open.delete(site);
    },

    async attempt(site, work, next) {
      try {
        const result = await work();
        failureLog.succeeded(site);
        return result;
      } catch (error) {
        failureLog.failed(site, error, next);
        return undefined;
      }
    },
  };
  return failureLog;
}

import { ConflictError } from "../store/port.ts";

/** How many times a read-change-commit is tried before the conflict is reported. */
const DEFAULT_ATTEMPTS = 3;

/** The first retry waits up to this long, each next one twice as long, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 4;
const MAX_BACKOFF_MS = 250;

/**
 * Optimistic writes: `attempt` reads what it changes, computes the change and commits it. When
 * the commit finds that a record moved on since it was read (placement updates instance records
 * concurrently), the whole attempt runs again on fresh reads, up to `attempts` times; after that
 * the ConflictError escapes (and becomes a ServerException, which SDKs retry).
 * Any other error ends the attempts at once. Each retry first waits a random while ("full
 * jitter", growing with each attempt): writers that lost a race together would otherwise read
 * and commit in step again, and on DynamoDB, where a read-plan-commit takes tens of ms, a hot
 * instance would make every one of them lose again.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = DEFAULT_ATTEMPTS): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || tried >= attempts) throw error;
      const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (tried - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}

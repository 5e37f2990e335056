import { ConflictError } from "../store/port.ts";

/** How many times a read-change-commit is tried before the conflict is reported. */
const DEFAULT_ATTEMPTS = 3;

/**
 * Optimistic writes: `attempt` reads what it changes, computes the change and commits it. When
 * the commit finds that a record moved on since it was read (placement updates instance records
 * concurrently), the whole attempt runs again on fresh reads, up to `attempts` times; after that
 * the ConflictError escapes (and becomes a ServerException, which SDKs retry).
 * Any other error ends the attempts at once.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = DEFAULT_ATTEMPTS): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || tried >= attempts) throw error;
    }
  }
}

import { EventBridgeClient, type EventBridgeClientConfig, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { chunks } from "../events/entries.ts";
import type { EventPublisher, PutEventsEntry } from "../events/types.ts";

/**
 * The EventPublisher over EventBridge's PutEvents: entries go in calls of at most 10, in order.
 * PutEvents can succeed for some entries of a call and fail for others (throttling, an internal
 * error): those are sent again, with a growing pause, a few times; what still fails rejects the
 * publish, and the stream consumer reports its batch failed so that Lambda retries it.
 */
export interface EventBridgePublisherOptions extends EventBridgeClientConfig {
  busName: string;
  /** Tries per entry, the first included (4 when absent). */
  attempts?: number;
  /** The first pause between tries, doubling (100 ms when absent). */
  backoffMs?: number;
}

export function eventBridgePublisher({
  busName,
  attempts = 4,
  backoffMs = 100,
  ...config
}: EventBridgePublisherOptions): EventPublisher & { destroy(): void } {
  const client = new EventBridgeClient(config);
  return {
    async publish(entries) {
      for (const chunk of chunks(entries.map((e) => ({ ...e, EventBusName: busName })))) {
        await putWithRetries(client, chunk, attempts, backoffMs);
      }
    },
    destroy: () => client.destroy(),
  };
}

async function putWithRetries(
  client: EventBridgeClient,
  entries: PutEventsEntry[],
  attempts: number,
  backoffMs: number,
) {
  let pending = entries;
  for (let attempt = 1; ; attempt++) {
    const { Entries = [], FailedEntryCount = 0 } = await client.send(new PutEventsCommand({ Entries: pending }));
    if (FailedEntryCount === 0) return;
    // The answer's entries are in the request's order; a failed one has an ErrorCode.
    const failed = pending.filter((_, i) => Entries[i]?.ErrorCode);
    if (attempt >= attempts) {
      const reasons = [...new Set(Entries.map((e) => e.ErrorCode).filter(Boolean))].join(", ");
      throw new Error(
        `PutEvents failed for ${failed.length} of ${pending.length} entries (${reasons}) after ${attempts} tries.`,
      );
    }
    pending = failed;
    await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
  }
}

import type { SQSBatchItemFailure, SQSRecord } from "aws-lambda";

/**
 * Partial batch failures for an SQS FIFO queue, as Powertools' SqsFifoPartialProcessor does with
 * `skipGroupOnError`: message groups are processed in parallel, each group's messages in order;
 * once a message of a group fails, it and the group's later messages are reported failed (SQS
 * then redelivers them, in order), while the other groups go on. `process` receives a group's
 * messages at once, so that it may coalesce them, and answers how many it handled before it
 * failed (by throwing an error carrying `handled`), or throws to fail them all.
 */
export async function processFifoBatch(
  records: SQSRecord[],
  process: (group: SQSRecord[]) => Promise<void>,
  onError: (error: unknown, group: SQSRecord[]) => void,
): Promise<SQSBatchItemFailure[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const id = record.attributes?.MessageGroupId ?? record.messageId;
    groups.set(id, [...(groups.get(id) ?? []), record]);
  }
  const failed = await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        await process(group);
        return [];
      } catch (error) {
        onError(error, group);
        const handled = error instanceof PartialGroupFailure ? error.handled : 0;
        return group.slice(handled);
      }
    }),
  );
  return failed.flat().map((record) => ({ itemIdentifier: record.messageId }));
}

/** Thrown by `process` when the group's first `handled` messages are done and the next one failed. */
export class PartialGroupFailure extends Error {
  constructor(
    readonly handled: number,
    readonly cause: unknown,
  ) {
    super(`message ${handled + 1} of the group failed`);
    this.name = "PartialGroupFailure";
  }
}

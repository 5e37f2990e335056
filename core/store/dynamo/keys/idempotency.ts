import type { IdempotencyRecord } from "../../../model/records.ts";

/** Idempotency records (a clientToken's outcome): only ever read by key. */
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: "IDEMPOTENCY" });

export const idempotencyAttributes = (r: Omit<IdempotencyRecord, "version">) => idempotencyKey(r.key);

/**
 * DynamoDB's limits on a key attribute's value (UTF-8 bytes; and never empty). A request with a
 * value beyond them is a ValidationException, yet no stored item can have such a key: every key
 * here is built from names ECS bounds far below the limits. So a read that names one — a cluster
 * or task reference of 3,000 characters, a family prefix as long — finds nothing, as on SQLite,
 * instead of failing.
 */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

const fits = (value: unknown, max: number) =>
  typeof value !== "string" || (value !== "" && Buffer.byteLength(value, "utf8") <= max);

export const keyFits = (key: { pk: unknown; sk: unknown }) =>
  fits(key.pk, MAX_PARTITION_KEY_BYTES) && fits(key.sk, MAX_SORT_KEY_BYTES);

/** Whether a Query's partition and range bounds could name stored keys (empty bounds are left out before). */
export const queryFits = (partition: string, bounds: (string | undefined)[]) =>
  fits(partition, MAX_PARTITION_KEY_BYTES) &&
  bounds.every((b) => b === undefined || b === "" || fits(b, MAX_SORT_KEY_BYTES));

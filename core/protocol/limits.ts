import { EcsError, serialization } from "./errors.ts";

/**
 * Limits on what a request may be, checked before it is parsed, so that no body can make the
 * server spend unbounded memory or recursion on it. ECS's largest requests (a task definition of
 * ten containers) are tens of KiB and a few levels deep.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 32;

/** 413 as API Gateway answers an oversized payload, in ECS's error shape. */
export function checkBodySize(body: string): void {
  const size = Buffer.byteLength(body, "utf8");
  if (size > MAX_BODY_BYTES) {
    throw new EcsError(
      "RequestEntityTooLargeException",
      `The request body is ${size} bytes; at most ${MAX_BODY_BYTES} are accepted.`,
      413,
    );
  }
}

/** A SerializationException for JSON nested deeper than MAX_JSON_DEPTH (strings are skipped over). */
export function checkJsonDepth(body: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw serialization(`The request is nested more than ${MAX_JSON_DEPTH} levels deep.`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** How many references ECS takes in one call, by call (its API reference's limits). */
export const MAX_REFERENCES = {
  DescribeClusters: 100,
  DescribeCapacityProviders: 100,
  DescribeTasks: 100,
  DescribeServices: 10,
  DescribeContainerInstances: 100,
  UpdateContainerInstancesState: 10,
  DeleteTaskDefinitions: 10,
  PutAttributes: 10,
  UpdateTaskProtection: 10,
  GetTaskProtection: 100,
  /** Berth's own DescribeUtilization, as DescribeContainerInstances. */
  DescribeUtilization: 100,
} as const;

import { randomUUID } from "node:crypto";

/** Task and container-instance ids: 32 hex digits, as ECS mints them. */
export const newId = () => randomUUID().replaceAll("-", "");

/** Container ids inside a task are UUIDs in ECS. */
export const newUuid = () => randomUUID();

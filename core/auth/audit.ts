import { put, type Store } from "../store/port.ts";
import type { Caller } from "./authorize.ts";
import { isReadOnly } from "./policy.ts";
import type { AuditEventRecord } from "./records.ts";

/** How long audit events are kept when nothing else is configured. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/**
 * Which calls leave an audit event: every call that may change something, allowed or not.
 * Reads do not; nor do heartbeats and poll endpoint discovery, which every agent sends every few
 * seconds and which change nothing a person decided.
 */
export const isAudited = (operation: string) =>
  !isReadOnly(operation) && operation !== "Heartbeat" && operation !== "DiscoverPollEndpoint";

export interface AuditEvent {
  requestId: string;
  at: Date;
  caller: Caller;
  action: string;
  resources: string[];
  outcome: string;
}

/** The record of an audit event, as the audit trail keeps it. */
export function auditEventRecord(event: AuditEvent, retentionMs: number): Omit<AuditEventRecord, "version"> {
  const atMs = event.at.getTime();
  return {
    id: `${String(atMs).padStart(15, "0")}-${event.requestId}`,
    atMs,
    accessKeyId: event.caller.accessKeyId,
    principal: event.caller.policy.kind,
    action: event.action,
    resources: event.resources,
    outcome: event.outcome,
    expiresAt: atMs + retentionMs,
  };
}

/**
 * Writes an audit event on its own, or, with `replaces`, corrects the outcome of the one the
 * call's action committed with its writes (it failed after its commit).
 */
export async function recordAuditEvent(
  store: Store,
  event: AuditEvent,
  retentionMs: number,
  replaces?: AuditEventRecord,
): Promise<void> {
  const record = replaces ? { ...replaces, outcome: event.outcome } : auditEventRecord(event, retentionMs);
  await store.commit([put("auditEvent", record)]);
}

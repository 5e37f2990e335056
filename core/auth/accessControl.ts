import type { Partition } from "../model/config.ts";
import type { Store } from "../store/port.ts";
import { type KnownKey, keyReader } from "./accessKeys.ts";
import { auditEventRecord, DEFAULT_AUDIT_RETENTION_DAYS, isAudited, recordAuditEvent } from "./audit.ts";
import { authorize, type Caller } from "./authorize.ts";
import type { BootstrapTokenSource } from "./bootstrapRotation.ts";
import type { KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";
import type { AuditEventRecord } from "./records.ts";
import { Throttle, type ThrottleLimits } from "./throttle.ts";
import { resourcesOf } from "./touchedResources.ts";

/**
 * Identity and access as the protocol layer uses it (core/protocol/handle.ts), in the order a
 * call meets it: the caller's key (its secret verifies the signature), throttling, then
 * authorization of the decoded call, then the audit event of its outcome.
 */
export interface AccessControl {
  key(accessKeyId: string): Promise<KnownKey | undefined>;
  throttle(caller: Caller, operation: string): void;
  /** The resources a call touches. */
  resources(action: string, input: unknown): string[];
  /** Throws AccessDeniedException. */
  authorize(caller: Caller, action: string, input: unknown, resources: string[]): Promise<void>;
  /** Writes the call's audit event; `replaces`: the one its action committed, whose outcome this corrects. */
  audit(call: AuditedCall, outcome: string, replaces?: AuditEventRecord): Promise<void>;
  /**
   * The call's audit event, for its action to commit with its own writes (one commit, and no
   * action's change without its record); undefined when the call leaves none.
   */
  auditRecord(call: AuditedCall, outcome: string): Omit<AuditEventRecord, "version"> | undefined;
}

export interface AuditedCall {
  requestId: string;
  caller: Caller;
  operation: string;
  action: string;
  resources: string[];
}

export interface AccessControlOptions {
  store: Store;
  partition: Partition;
  keyEncryptionKey: KeyEncryptionKeyProvider;
  throttle?: ThrottleLimits;
  auditRetentionDays?: number;
  now?: () => Date;
  /** A bootstrap token read where it is configured (SSM on AWS), so a rotated one is picked up without a restart. */
  bootstrapToken?: BootstrapTokenSource;
  /** Told of a failed read of the bootstrap token (which fails no request); console.error when absent. */
  onError?: (error: unknown, what: string) => void;
}

export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { store, partition } = options;
  const now = options.now ?? (() => new Date());
  const throttle = new Throttle(options.throttle, () => now().getTime());
  const retentionMs = (options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS) * 86_400_000;
  const readKey = keyReader(store, options.keyEncryptionKey);
  const onError = options.onError ?? ((error, what) => console.error(`berth: ${what} failed:`, error));
  return {
    async key(accessKeyId) {
      await options.bootstrapToken?.refresh().catch((error) => onError(error, "reading the bootstrap token"));
      return readKey(accessKeyId);
    },
    throttle: (caller, operation) => throttle.take(caller.accessKeyId, operation),
    resources: (action, input) => resourcesOf(partition, action, input),
    authorize: (caller, action, input, resources) => authorize(store, partition, caller, action, input, resources),
    async audit(call, outcome, replaces) {
      if (!isAudited(call.operation)) return;
      await recordAuditEvent(store, { ...call, at: now(), outcome }, retentionMs, replaces);
    },
    auditRecord: (call, outcome) =>
      isAudited(call.operation) ? auditEventRecord({ ...call, at: now(), outcome }, retentionMs) : undefined,
  };
}

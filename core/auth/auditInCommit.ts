import { put, type Store, type Write } from "../store/port.ts";
import type { AuditEventRecord } from "./records.ts";

/** A commit takes at most 100 items (DynamoDB's TransactWriteItems): the audit event needs one. */
const MAX_ACTION_WRITES = 99;

/**
 * The store as one call's action sees it: the first of its commits that lands carries the call's
 * audit event (outcome Success), so that its changes and their record are one commit, not two.
 * `written` is that event, once committed: a call that fails after it corrects the outcome; a
 * call that commits nothing (a read, a refusal) writes its event on its own, as before.
 */
export function withAuditInCommit(
  store: Store,
  record: () => Omit<AuditEventRecord, "version"> | undefined,
): { store: Store; written: () => AuditEventRecord | undefined; close: () => void } {
  let written: AuditEventRecord | undefined;
  // One commit at a time carries the event (an action may commit concurrently), and none once
  // the action has returned (work it left running commits on its own).
  let carrying = false;
  let closed = false;
  const commit = async (writes: Write[]) => {
    const event = written || carrying || closed || writes.length > MAX_ACTION_WRITES ? undefined : record();
    if (!event) return store.commit(writes);
    carrying = true;
    try {
      await store.commit([...writes, put("auditEvent", event)]);
      written = { ...event, version: 1 };
    } finally {
      carrying = false;
    }
  };
  const audited = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "commit") return commit;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    store: audited,
    written: () => written,
    close: () => {
      closed = true;
    },
  };
}

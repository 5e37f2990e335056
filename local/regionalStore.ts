import type { Store, Write } from "../core/store/port.ts";

/**
 * Another region's store in local mode: its own records (clusters, tasks, account settings, …) in
 * a namespace of its own, while the account's keys and audit trail stay in the default region's
 * store, as IAM is global: a key created in one region signs in every region. The exception is a
 * container instance's own key, which is only good for its instance: it lives with the instance
 * (deregistration expires both in one commit) and so works in that region only.
 */
export function withSharedAccess(region: Store, home: Store): Store {
  const shared = (write: Write) =>
    write.kind === "auditEvent" || (write.kind === "accessKey" && write.record.policy.kind !== "instance");
  const overrides: Partial<Store> = {
    // An instance key of the default region is that region's only, as this region's are its own.
    getAccessKey: async (accessKeyId) => {
      const key = await home.getAccessKey(accessKeyId);
      return key && key.policy.kind !== "instance" ? key : region.getAccessKey(accessKeyId);
    },
    // The account's keys; a region's instance keys are not listed (they go with their instance).
    listAccessKeys: (page) => home.listAccessKeys(page),
    listAuditEvents: (page) => home.listAuditEvents(page),
    async commit(writes) {
      const toHome = writes.filter(shared);
      if (toHome.length === 0) return region.commit(writes);
      if (toHome.length === writes.length) return home.commit(writes);
      // An action's first commit carries its audit event (core/auth/auditInCommit.ts); here the
      // trail is the default region's, so the event follows the region's records on its own, as
      // it did before events joined commits. No action commits keys with a region's records.
      if (toHome.some((w) => w.kind !== "auditEvent")) {
        throw new Error("A commit mixes the account's keys with a region's records.");
      }
      await region.commit(writes.filter((w) => !shared(w)));
      await home.commit(toHome);
    },
    // The default region's store is closed with its own control plane.
    close: () => region.close(),
  };
  return new Proxy(region, {
    get(target, prop, receiver) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof Store];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { generateAccessKey } from "../../../../core/auth/accessKeys.ts";
import { bootstrapTokenSource } from "../../../../core/auth/bootstrapRotation.ts";
import { put, type Store } from "../../../../core/store/port.ts";
import { openSqliteStore } from "../../../../core/store/sqlite.ts";

/** The bootstrap token source's caching and rotation, on an in-memory SQLite store and a hand-moved clock. */
describe("the bootstrap token source", () => {
  const kek = randomBytes(32);
  const token = () => {
    const key = generateAccessKey();
    return { key, text: `${key.accessKeyId}:${key.secretAccessKey}` };
  };
  let store: Store;
  let now = 0;
  let reads = 0;
  /** A source over a fresh store whose reads answer what `read` says (or throw what it throws). */
  const sourceOf = async (read: () => string) => {
    now = 0;
    reads = 0;
    store = await openSqliteStore(":memory:", () => now);
    return bootstrapTokenSource({
      store,
      keyEncryptionKey: { get: async () => kek },
      cluster: "web",
      read: async () => {
        reads++;
        return read();
      },
      maxAgeMs: 10_000,
      now: () => now,
    });
  };
  afterEach(() => store.close());

  it("reads the token at most once per max age, picks up a new one and expires the one it replaces", async () => {
    const first = token();
    const second = token();
    let current = first.text;
    const source = await sourceOf(() => current);
    await source.refresh();
    await source.refresh();
    expect(reads).toBe(1);
    expect((await store.getAccessKey(first.key.accessKeyId))?.policy).toEqual({ kind: "bootstrap", cluster: "web" });

    current = second.text;
    now = 9_999;
    await source.refresh();
    expect(await store.getAccessKey(second.key.accessKeyId)).toBeUndefined();
    now = 10_000;
    await source.refresh();
    expect(reads).toBe(2);
    expect(await store.getAccessKey(second.key.accessKeyId)).toBeDefined();
    now = 10_001;
    expect(await store.getAccessKey(first.key.accessKeyId)).toBeUndefined();
  });

  it("puts the current token's key back when something expired it (a stale read elsewhere during a rotation)", async () => {
    const first = token();
    const source = await sourceOf(() => first.text);
    await source.refresh();
    const record = await store.getAccessKey(first.key.accessKeyId);
    if (!record) throw new Error("the token's key was not written");
    // Another instance, acting on an older token, expires this one's key.
    await store.commit([put("accessKey", { ...record, expiresAt: now })]);
    now = 1;
    expect(await store.getAccessKey(first.key.accessKeyId)).toBeUndefined();
    now = 10_001;
    await source.refresh();
    expect(await store.getAccessKey(first.key.accessKeyId)).toBeDefined();
  });

  it("does not cache a failed read, retries it a second later, and leaves the keys it made as they are", async () => {
    const first = token();
    let failing = false;
    const source = await sourceOf(() => {
      if (failing) throw new Error("SSM unreachable");
      return first.text;
    });
    await source.refresh();
    failing = true;
    now = 20_000;
    await expect(source.refresh()).rejects.toThrow("SSM unreachable");
    // Requests right after a failure do not each call SSM again.
    await source.refresh();
    expect(reads).toBe(2);
    now = 21_000;
    await expect(source.refresh()).rejects.toThrow("SSM unreachable");
    expect(reads).toBe(3);
    expect(await store.getAccessKey(first.key.accessKeyId)).toBeDefined();
  });
});

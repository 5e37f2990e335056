import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ssmKeyEncryptionKey } from "../../core/aws/ssmKeyEncryptionKey.ts";
import { ssmSecureString } from "../../core/aws/ssmParameter.ts";
import { startSsmServer, type TestSsmServer } from "../support/ssmServer.ts";

/** Berth's SSM reads on AWS (Powertools' SSMProvider over the SDK), against a test SSM server. */
describe("SSM parameters", () => {
  let ssm: TestSsmServer;
  beforeAll(async () => {
    ssm = await startSsmServer();
  });
  afterAll(() => ssm.close());

  it("the key encryption key is read once, with decryption, and checked for size", async () => {
    const key = randomBytes(32);
    ssm.parameters.set("/berth/kek", key.toString("base64"));
    const provider = ssmKeyEncryptionKey("/berth/kek", { client: ssm.client() });
    expect(await provider.get()).toEqual(key);
    expect(await provider.get()).toEqual(key);
    expect(ssm.calls.filter((c) => c.Name === "/berth/kek")).toEqual([{ Name: "/berth/kek", WithDecryption: true }]);

    ssm.parameters.set("/berth/short", "AAAA");
    await expect(ssmKeyEncryptionKey("/berth/short", { client: ssm.client() }).get()).rejects.toThrow(/32 bytes/);
  });

  it("a failed read is not kept: the next one tries again", async () => {
    const provider = ssmKeyEncryptionKey("/berth/later", { client: ssm.client() });
    await expect(provider.get()).rejects.toThrow(/later/);
    const key = randomBytes(32);
    ssm.parameters.set("/berth/later", key.toString("base64"));
    expect(await provider.get()).toEqual(key);
  });

  it("a value is kept for its max age; with 0 every call reads the parameter again", async () => {
    ssm.parameters.set("/berth/token", "first");
    const cached = ssmSecureString("/berth/token", { client: ssm.client(), maxAgeSeconds: 60 });
    const fresh = ssmSecureString("/berth/token", { client: ssm.client(), maxAgeSeconds: 0 });
    expect([await cached(), await fresh()]).toEqual(["first", "first"]);
    ssm.parameters.set("/berth/token", "second");
    expect([await cached(), await fresh()]).toEqual(["first", "second"]);
  });
});

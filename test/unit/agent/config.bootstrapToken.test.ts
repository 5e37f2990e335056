import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../agent/config.ts";

describe("the agent's bootstrap token setting", () => {
  const load = (token: string) =>
    loadAgentConfig({ env: { BERTH_ENDPOINT: "http://cp", BERTH_BOOTSTRAP_TOKEN: token }, configFile: false });

  it("reads <access key id>:<secret>", () => {
    expect(load("AKIAX:s3cret+x").bootstrapToken).toEqual({ accessKeyId: "AKIAX", secretAccessKey: "s3cret+x" });
  });

  it("refuses a malformed token without echoing it", () => {
    expect(() => load("s3cretwithoutcolon")).toThrow(/BERTH_BOOTSTRAP_TOKEN must be .*value hidden/);
    expect(() => load("s3cretwithoutcolon")).not.toThrow(/s3cretwithoutcolon/);
  });
});

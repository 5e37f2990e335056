import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * bin/ensure-node.mjs: `npm start` on a Node older than Berth needs runs itself again with a
 * recent one. Plain JavaScript with no types, hence the untyped import.
 */
const MODULE = fileURLToPath(new URL("../../../bin/ensure-node.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../../bin/berth.mjs", import.meta.url));
const ensureNode = await import(MODULE);

describe("the Node version check", () => {
  it("compares versions part by part", () => {
    expect(ensureNode.versionAtLeast("22.13.0", "22.13.0")).toBe(true);
    expect(ensureNode.versionAtLeast("v24.1.0", "22.13.0")).toBe(true);
    expect(ensureNode.versionAtLeast("22.12.9", "22.13.0")).toBe(false);
    expect(ensureNode.versionAtLeast("20.20.2", "22.13.0")).toBe(false);
    expect(ensureNode.versionAtLeast("100.0.0", "22.13.0")).toBe(true);
  });

  it("finds a recent Node that is not the running one", () => {
    expect(ensureNode.findNode([process.execPath])).toBeUndefined();
    const found = ensureNode.findNode(["/nonexistent/node", process.execPath], "/another/node");
    expect(found).toEqual({ path: process.execPath, version: process.versions.node });
  });

  // A machine with an old Node besides this one (Debian's Node 20 on CI) runs the real thing.
  const old = ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"].find(
    (node) =>
      existsSync(node) &&
      !ensureNode.versionAtLeast(
        execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim(),
        "22.13.0",
      ),
  );
  it.skipIf(!old)(
    "runs `berth` on an old Node again with a recent one, in one line",
    () => {
      const run = spawnSync(old as string, [BIN, "--help"], {
        encoding: "utf8",
        env: { ...process.env, BERTH_NODE: process.execPath },
      });
      const [first, ...rest] = run.stderr.split("\n");
      expect(first).toMatch(
        /^berth: Node [\d.]+ \(.*\) is too old for Berth, which needs 22\.13\.0 or later: running with Node /,
      );
      expect(rest[0]).toMatch(/^Usage: berth local/); // the CLI's own answer to --help, on the recent Node
      expect(run.status).toBe(0);
    },
    60_000, // tsx compiles the CLI on the recent Node: seconds, more on a busy machine
  );

  it.skipIf(!old)("says in one line what to install when the recent Node does not help", () => {
    const run = spawnSync(old as string, [BIN, "--help"], {
      encoding: "utf8",
      env: { ...process.env, BERTH_NODE_REEXEC: "1" },
    });
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringContaining("install Node 24 (e.g. `npm i -g")]);
    expect(run.status).toBe(1);
  });
});

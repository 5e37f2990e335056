#!/usr/bin/env node
// Runs Berth's TypeScript sources directly: tsx compiles them on load, so there is no build step.
// The Node version is checked first (bin/ensure-node.mjs, plain JavaScript): tsx and Berth's
// sources are imported only after it, since on an old Node they fail (node:sqlite).
import { ensureNode } from "./ensure-node.mjs";

await ensureNode();
const { register } = await import("tsx/esm/api");
register();
await import("../local/cli.ts");

#!/usr/bin/env node
// Runs one TypeScript file with tsx's loader, as bin/berth.mjs runs the CLI:
//   node bin/run-ts.mjs FILE.ts [ARGS...]   (the file sees ARGS in process.argv.slice(2))
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureNode } from "./ensure-node.mjs";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("Usage: node bin/run-ts.mjs FILE.ts [ARGS...]");
  process.exit(2);
}
await ensureNode(); // before tsx: an old Node is replaced by a recent one (bin/ensure-node.mjs)
const { register } = await import("tsx/esm/api");
register();
process.argv = [process.argv[0], resolve(file), ...args];
await import(pathToFileURL(resolve(file)).href);

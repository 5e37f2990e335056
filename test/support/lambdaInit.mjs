// A Lambda function's init as Lambda's Node runtime does it (the runtime interface client's
// UserFunction): the handler `<dir>/<module>.<export>` names a module under LAMBDA_TASK_ROOT,
// tried as .js, .mjs, .cjs, imported (ESM) or required (CommonJS), whose export must be a
// function. Plain JavaScript, run by plain `node` with nothing preloaded, in the environment
// Lambda gives the function. Prints one JSON line: `{"ok":true}`, or the init error as Lambda
// reports it (`{"errorType":"Runtime.ImportModuleError","errorMessage":...,"stack":[...]}`),
// and exits 0 or 1.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.env.LAMBDA_TASK_ROOT;
const handler = process.env._HANDLER;

function fail(errorType, error) {
  const stack = error instanceof Error ? String(error.stack).split("\n") : [];
  process.stdout.write(`${JSON.stringify({ errorType, errorMessage: String(error?.message ?? error), stack })}\n`);
  process.exit(1);
}

const dot = handler.lastIndexOf(".");
if (dot < 1) fail("Runtime.MalformedHandlerName", new Error(`Bad handler ${handler}`));
const base = join(root, handler.slice(0, dot));
const name = handler.slice(dot + 1);

let module;
try {
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`Cannot find module '${handler.slice(0, dot)}'`);
  module = file.endsWith(".cjs") ? createRequire(file)(file) : await import(pathToFileURL(file).href);
} catch (error) {
  fail("Runtime.ImportModuleError", error);
}
if (typeof module[name] !== "function")
  fail("Runtime.HandlerNotFound", new Error(`${handler} is undefined or not exported`));
process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
process.exit(0);

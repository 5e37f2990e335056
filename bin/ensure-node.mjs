// Plain JavaScript that any Node runs (no TypeScript, no dependencies, nothing newer than Node 18):
// bin/berth.mjs and bin/run-ts.mjs call it before they load tsx or anything that needs a recent
// Node. Berth needs Node 22.13 or later (node:sqlite without a flag; vitest 5, middy 7). On an
// older Node it finds a recent one (BERTH_NODE, other node binaries on PATH, /opt/node24 as CI
// installs it, ~/.berth/node, nvm's), else installs Node 24 from the npm registry into
// ~/.berth/node, and runs the same command again with it, saying so in one line on stderr. When
// that fails too, one line says what to install, and the process exits with status 1.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export const MIN_NODE = "22.13.0";
const INSTALL_SPEC = "node@24";
const REEXEC_MARK = "BERTH_NODE_REEXEC";
const INSTALL_TIMEOUT_MS = 5 * 60_000; // it takes about 20 s; npm can spin forever on some prefixes

/** Whether version `a` ("x.y.z", an optional leading "v") is at least `b`. */
export function versionAtLeast(a, b) {
  const parse = (v) =>
    String(v)
      .replace(/^v/, "")
      .split(".")
      .map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return true;
}

/** Where a recent Node may be, most explicit first. */
export function nodeCandidates(env = process.env, home = homedir()) {
  const found = [];
  if (env.BERTH_NODE) found.push(env.BERTH_NODE);
  const names = ["node26", "node25", "node24", "node23", "node22", "node", "nodejs"];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir) for (const name of names) found.push(join(dir, name));
  }
  found.push("/opt/node24/bin/node", join(home, ".berth", "node", "bin", "node"));
  const nvm = join(env.NVM_DIR ?? join(home, ".nvm"), "versions", "node");
  if (existsSync(nvm)) {
    const versions = readdirSync(nvm).sort((a, b) => (versionAtLeast(a, b) ? -1 : 1));
    for (const version of versions) found.push(join(nvm, version, "bin", "node"));
  }
  return found;
}

/** The version a Node binary reports, or undefined when it is missing or does not run. */
function versionOf(binary) {
  try {
    return execFileSync(binary, ["-p", "process.versions.node"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
  } catch {
    return undefined;
  }
}

/** The first candidate that is not this Node and is recent enough, with its version. */
export function findNode(candidates, self = process.execPath) {
  const seen = new Set([realpath(self)]);
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const real = realpath(candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    const version = versionOf(candidate);
    if (version && versionAtLeast(version, MIN_NODE)) return { path: candidate, version };
  }
  return undefined;
}

function realpath(path) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * `npm i -g --prefix PREFIX node@24`: the npm registry's `node` package, whose install step
 * fetches the platform's binary (also from the registry) and links PREFIX/bin/node. Uses the npm
 * that runs `npm start` when there is one. Returns the binary and its version, or an error line.
 */
export function installNode(prefix) {
  const args = ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", INSTALL_SPEC];
  const npmCli = process.env.npm_execpath;
  const [command, commandArgs] =
    npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli, ...args]] : ["npm", args];
  const result = spawnSync(command, commandArgs, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: INSTALL_TIMEOUT_MS,
  });
  const binary = join(prefix, "bin", "node");
  const version = result.status === 0 ? versionOf(binary) : undefined;
  if (version && versionAtLeast(version, MIN_NODE)) return { path: binary, version };
  const why =
    result.error?.code === "ETIMEDOUT"
      ? `no answer within ${INSTALL_TIMEOUT_MS / 60_000} minutes`
      : (result.error?.message ??
        npmError(result.stderr) ??
        (result.signal ? `stopped by ${result.signal}` : `exit status ${result.status}`));
  return { error: `npm ${args.join(" ")} failed: ${why}` };
}

/** npm's message line (not its code, syscall, path, errno or log lines), with the log's path. */
function npmError(text) {
  const lines = String(text ?? "")
    .split("\n")
    .map((line) => line.replace(/^npm (error|ERR!)\s?/, "").trim());
  const message = lines.find((line) => line && !/^(code|syscall|path|errno|A complete log)\b/.test(line));
  const log = lines.find((line) => line.startsWith("A complete log"))?.replace(/.*: /, "");
  return message && (log ? `${message} (npm's log: ${log})` : message);
}

/** Runs this same command with `node` and exits with its status; SIGTERM and SIGHUP are passed on. */
function rerunWith(node) {
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [REEXEC_MARK]: "1" },
  });
  // Ctrl-C reaches the child from the terminal itself (same process group): passing SIGINT on too
  // would make it a second one, which stops the child at once instead of cleanly.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (error) => {
    console.error(`berth: could not run ${node}: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal];
}

/**
 * Returns when this Node is recent enough. Otherwise runs the command again with a recent Node
 * (found, else installed) and never returns: the process exits with that run's status.
 */
export async function ensureNode({
  candidates = nodeCandidates(),
  installPrefix = join(homedir(), ".berth", "node"),
} = {}) {
  const current = process.versions.node;
  if (versionAtLeast(current, MIN_NODE)) return;
  const old = `Node ${current} (${process.execPath}) is too old for Berth, which needs ${MIN_NODE} or later`;
  const install = `install Node 24 (e.g. \`npm i -g --prefix ~/.berth/node node@24\`, or from https://nodejs.org) and run again`;
  if (process.env[REEXEC_MARK]) {
    console.error(`berth: ${old}; ${install}.`);
    process.exit(1);
  }
  let node = findNode(candidates);
  if (node) {
    console.error(`berth: ${old}: running with Node ${node.version} at ${node.path}.`);
  } else if (process.env.BERTH_NODE_INSTALL === "0") {
    console.error(`berth: ${old}, and no recent Node was found; ${install}.`);
    process.exit(1);
  } else {
    console.error(`berth: ${old}: installing Node 24 from the npm registry into ${installPrefix} …`);
    node = installNode(installPrefix);
    if (node.error) {
      console.error(`berth: ${node.error}; ${install}.`);
      process.exit(1);
    }
    console.error(`berth: installed Node ${node.version} at ${node.path}: running with it.`);
  }
  rerunWith(node.path);
  await new Promise(() => {}); // the child's exit ends this process
}

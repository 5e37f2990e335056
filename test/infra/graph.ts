import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { once } from "../support/once.ts";
import { unzip } from "../support/unzip.ts";

/**
 * The resource graph `sst deploy` would create, evaluated offline: sst.config.ts and infra/
 * bundled and run as SST's CLI runs them, with SST's own components (.sst/platform), under
 * Pulumi's mock runtime, the CLI's few RPCs answered here and AWS's computed values (ARNs, ids,
 * URLs) made up as AWS shapes them (graph/: program.ts, cliRpc.ts, functionBuild.ts,
 * awsMocks.ts, evaluate.ts). Function code is built as SST builds it and zipped by SST's own
 * component; each zip is unpacked here as Lambda would unpack it.
 *
 * Use: `await evaluateGraph("dev")` (or `evaluateGraph(stage, { secrets, settings })`); the
 * account and region it deploys to are ACCOUNT and REGION of graph/awsMocks.ts, and
 * lambdaEnvironment.ts gives the environment Lambda starts a function's process in. As a script,
 * `node bin/run-ts.mjs test/infra/graph.ts [stage]` prints where the evaluation is.
 *
 * The shape, plain data (JSON-safe) for tests and for the offline cloud run to stand the
 * deployment up from:
 *
 *   {
 *     stage, work,                       // work: SST's working directory of this evaluation (.sst/graph/<hash>)
 *     app: { name, stage, removal, protect, home, providers },
 *     secrets: { BerthAdminKey: "...", ... },   // the SST secrets the evaluation was given
 *     settings: { BERTH_AGENT_CLUSTER: ..., ... },  // the deploy-time settings it was given (none: defaults)
 *     outputs: { api, table, schedulerQueue, bus, launchTemplateId, _protect },  // sst.config.ts's run()
 *     resources: [{
 *       type,      // Pulumi's type token: "aws:lambda/function:Function", "aws:sqs/queue:Queue",
 *                  //   "aws:lambda/eventSourceMapping:EventSourceMapping", "sst:aws:Function", ...
 *       name,      // Pulumi's logical name, e.g. "ApiFunctionFunction"
 *       parent,    // the logical name of the component it belongs to (e.g. "ApiFunction"), if any
 *       custom,    // true for a cloud resource, false for an SST component
 *       id,        // the provider's id (a queue's URL, a table's name, a launch template's lt-...)
 *       inputs,    // the resolved inputs Pulumi sends the provider (assets as { asset | archive: path })
 *       outputs,   // inputs plus what AWS computes (arn, url, streamArn, invokeArn, ...)
 *     }],
 *     agent: { bundle, bucket, key },    // the agent's bundle as built, and where the deploy uploads it
 *     functions: [{                      // one per aws:lambda/function:Function
 *       component,  // its SST component's name, e.g. "ApiFunction", "TableSubscriberEventsFunction"
 *                   //   (a queue subscriber's carries a hash SST draws anew: find functions by entry)
 *       entry,      // functions/<entry>/: "api", "scheduler", "sweeper", "events", "deploy", "console"
 *       name, arn, handler, runtime, architecture, memory, timeout, role,
 *       environment,  // its environment variables as deployed (SST_KEY, SST_RESOURCE_*, BERTH_*, ...)
 *       zip,        // the code.zip SST's component made and would upload
 *       dir,        // that zip unpacked, as in /var/task: the handler's .mjs and resource.enc
 *     }],
 *   }
 */
export interface GraphResource {
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface GraphFunction {
  component: string;
  entry: string;
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  architecture: string;
  memory: number;
  timeout: number;
  role: string;
  environment: Record<string, string>;
  zip: string;
  dir: string;
}

export interface Graph {
  stage: string;
  work: string;
  app: Record<string, unknown>;
  secrets: Record<string, string>;
  settings: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: GraphResource[];
  agent: { bundle: string; bucket: string; key: string };
  functions: GraphFunction[];
}

export const ROOT = join(import.meta.dirname, "../..");

/**
 * Values for Berth's SST secrets (`sst secret set`, see infra/parameters.ts), made up for the
 * evaluation: an admin key, a bootstrap token and a 32-byte key encryption key.
 */
export const TEST_SECRETS: Record<string, string> = {
  BerthAdminKey: "BKADMINTESTKEY000001:admin-test-secret-0000000000000000000000",
  BerthBootstrapToken: "BKBOOTSTRAPTEST00001:bootstrap-test-secret-000000000000000000",
  BerthKeyEncryptionKey: Buffer.alloc(32, 7).toString("base64"),
};

const run = promisify(execFile);

/**
 * What an evaluation depends on, hashed: the code it deploys and bundles, the dependencies, SST's
 * platform, this evaluation's own code, the stage, the secrets and the settings. An evaluation is kept under .sst/graph/<hash> and shared by the test files of a run (and
 * the next runs), so it is made once however many files ask for it, and again on any change.
 */
const INPUTS = [
  "sst.config.ts",
  "infra",
  "core",
  "functions",
  "agent",
  "local",
  "package-lock.json",
  "test/infra/graph",
  "test/infra/graph.ts",
  "test/support/unzip.ts",
  ".sst/platform/version",
  ".sst/provider-lock.json",
];

function inputsHash(stage: string, secrets: Record<string, string>, settings: Record<string, string>): string {
  const hash = createHash("sha256").update(JSON.stringify({ stage, secrets, settings }));
  const add = (path: string) => {
    const full = join(ROOT, path);
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) add(join(path, entry));
    } else {
      hash.update(`${path}\n`).update(readFileSync(full));
    }
  };
  for (const path of INPUTS) add(path);
  return hash.digest("hex").slice(0, 16);
}

export interface EvaluateOptions {
  /** SST's secrets, by name (TEST_SECRETS unless given). */
  secrets?: Record<string, string>;
  /**
   * The deploy-time settings infra/ reads from the deployer's environment (BERTH_AGENT_CLUSTER,
   * BERTH_EC2_IDENTITY_CHECK, ...): only these, so that a BERTH_* variable of the shell running
   * the tests never changes the graph.
   */
  settings?: Record<string, string>;
}

export async function evaluateGraph(stage = "dev", options: EvaluateOptions = {}): Promise<Graph> {
  const { secrets = TEST_SECRETS, settings = {} } = options;
  await ensureSstPlatform();
  const work = join(ROOT, ".sst/graph", inputsHash(stage, secrets, settings));
  const out = join(work, "graph.json");
  await once(
    `${work}.lock`,
    () => existsSync(out),
    async () => {
      pruneOldEvaluations();
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      await run(
        process.execPath,
        [join(ROOT, "bin/run-ts.mjs"), join(ROOT, "test/infra/graph/evaluate.ts"), ROOT, stage, work, `${out}.part`],
        {
          env: {
            ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BERTH_"))),
            ...settings,
            ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`SST_SECRET_${k}`, v])),
          },
          maxBuffer: 64 * 1024 * 1024,
        },
      ).catch((error: Error & { stdout?: string }) => {
        // The message has the command and its stderr.
        throw new Error(`Evaluating sst.config.ts failed: ${error.message}\n${error.stdout ?? ""}`);
      });
      const evaluated = JSON.parse(readFileSync(`${out}.part`, "utf8")) as { resources: GraphResource[] };
      for (const fn of functionsOf(evaluated.resources, work)) unzip(fn.zip, fn.dir);
      renameSync(`${out}.part`, out);
    },
  );
  // In use: not an old evaluation to prune.
  utimesSync(work, new Date(), new Date());
  const evaluated = JSON.parse(readFileSync(out, "utf8")) as Pick<Graph, "app" | "resources" | "outputs">;
  return {
    ...evaluated,
    stage,
    work,
    secrets,
    settings,
    agent: agentBundle(evaluated.resources),
    functions: functionsOf(evaluated.resources, work),
  };
}

/** Evaluations of other inputs an hour old: no run still reads them. */
function pruneOldEvaluations(): void {
  const dir = join(ROOT, ".sst/graph");
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!entry.endsWith(".lock") && Date.now() - statSync(path).mtimeMs > 3_600_000)
      rmSync(path, { recursive: true, force: true });
  }
}

/** The agent's bundle: the S3 object infra/agentArtifact.ts uploads, and the file it uploads. */
function agentBundle(resources: GraphResource[]): Graph["agent"] {
  const object = resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.name === "AgentBundle");
  const bundle = (object?.inputs.source as { asset?: string } | undefined)?.asset;
  if (!object || !bundle) throw new Error("No agent bundle is uploaded (AgentBundle)");
  return { bundle, bucket: String(object.inputs.bucket), key: String(object.inputs.key) };
}

/** Each Lambda function with its code: the zip its component uploads, and where it is unpacked. */
function functionsOf(resources: GraphResource[], work: string): GraphFunction[] {
  return resources
    .filter((r) => r.type === "aws:lambda/function:Function")
    .map((fn) => {
      const component = fn.parent ?? fn.name;
      const code = resources.find(
        (r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.name === `${component}Code`,
      );
      const zip = (code?.inputs.source as { archive?: string } | undefined)?.archive;
      if (!zip) throw new Error(`${fn.name}: no code archive uploaded for it`);
      const dir = join(work, "unpacked", component);
      const o = fn.outputs as Record<string, never>;
      const handler = String(o.handler);
      return {
        component,
        entry: /^functions\/([^/]+)\//.exec(handler)?.[1] ?? handler,
        name: o.name,
        arn: o.arn,
        handler,
        runtime: o.runtime,
        architecture: (o.architectures as string[])[0],
        memory: o.memorySize,
        timeout: o.timeout,
        role: o.role,
        environment: (o.environment as { variables: Record<string, string> }).variables,
        zip,
        dir,
      };
    });
}

/**
 * SST's platform, as `npm run check:infra` installs it (CI runs that first): installed here when
 * absent.
 */
async function ensureSstPlatform(): Promise<void> {
  await once(
    join(ROOT, ".sst/install.lock"),
    () => existsSync(join(ROOT, ".sst/platform/src/auto/run.ts")) && existsSync(join(ROOT, ".sst/provider-lock.json")),
    async () => void (await run("bash", [join(ROOT, "scripts/sst-install.sh")], { cwd: ROOT })),
  );
}

// As a script, for a look at the graph: `node bin/run-ts.mjs test/infra/graph.ts [stage]` prints
// where it is and what it holds.
if (process.argv[1] === import.meta.filename) {
  const graph = await evaluateGraph(process.argv[2] ?? "dev");
  console.log(`${join(graph.work, "graph.json")}: ${graph.resources.length} resources`);
  for (const fn of graph.functions) console.log(`${fn.entry.padEnd(10)} ${fn.name}  ${fn.dir}`);
  console.log(JSON.stringify(graph.outputs, null, 2));
}

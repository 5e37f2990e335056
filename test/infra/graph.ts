import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzip } from "../support/unzip.ts";

/**
 * The resource graph `sst deploy` would create, evaluated offline: sst.config.ts and infra/
 * bundled and run as SST's CLI runs them, with SST's own components (.sst/platform), under
 * Pulumi's mock runtime, the CLI's few RPCs answered here and AWS's computed values (ARNs, ids,
 * URLs) made up as AWS shapes them (graph/: program.ts, cliRpc.ts, functionBuild.ts,
 * awsMocks.ts, evaluate.ts). Function code is built as SST builds it and zipped by SST's own
 * component; each zip is unpacked here as Lambda would unpack it.
 *
 * The shape, plain data (JSON-safe) for tests and for the offline cloud run to stand the
 * deployment up from:
 *
 *   {
 *     stage, work,                       // work: SST's working directory of this evaluation (scratch)
 *     app: { name, stage, removal, protect, home, providers },
 *     secrets: { BerthAdminKey: "...", ... },   // the SST secrets the evaluation was given
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
 *       entry,      // functions/<entry>/: "api", "scheduler", "sweeper", "events", "deploy"
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

export async function evaluateGraph(stage = "dev", secrets = TEST_SECRETS): Promise<Graph> {
  await ensureSstPlatform();
  const work = mkdtempSync(join(tmpdir(), "berth-graph-"));
  const out = join(work, "graph.json");
  await run(
    process.execPath,
    [join(ROOT, "bin/run-ts.mjs"), join(ROOT, "test/infra/graph/evaluate.ts"), ROOT, stage, work, out],
    {
      env: { ...process.env, ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`SST_SECRET_${k}`, v])) },
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((error: Error & { stderr?: string; stdout?: string }) => {
    // The message has the command and its stderr.
    throw new Error(`Evaluating sst.config.ts failed: ${error.message}\n${error.stdout ?? ""}`);
  });
  const evaluated = JSON.parse(readFileSync(out, "utf8")) as Omit<Graph, "functions" | "stage" | "work" | "secrets">;
  return {
    ...evaluated,
    stage,
    work,
    secrets,
    agent: agentBundle(evaluated.resources),
    functions: builtFunctions(evaluated.resources, work),
  };
}

/** The agent's bundle: the S3 object infra/agentArtifact.ts uploads, and the file it uploads. */
function agentBundle(resources: GraphResource[]): Graph["agent"] {
  const object = resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.name === "AgentBundle");
  const bundle = (object?.inputs.source as { asset?: string } | undefined)?.asset;
  if (!object || !bundle) throw new Error("No agent bundle is uploaded (AgentBundle)");
  return { bundle, bucket: String(object.inputs.bucket), key: String(object.inputs.key) };
}

/** Each Lambda function with its code: the zip its component uploads, unpacked. */
function builtFunctions(resources: GraphResource[], work: string): GraphFunction[] {
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
      mkdirSync(dir, { recursive: true });
      unzip(zip, dir);
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
 * absent, once across the test workers that ask at the same time (a lock directory).
 */
async function ensureSstPlatform(): Promise<void> {
  const installed = () =>
    existsSync(join(ROOT, ".sst/platform/src/auto/run.ts")) && existsSync(join(ROOT, ".sst/provider-lock.json"));
  if (installed()) return;
  const lock = join(ROOT, ".sst/install.lock");
  mkdirSync(join(ROOT, ".sst"), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 600) throw new Error(`${lock} held for 10 minutes: remove it if no install is running`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (installed()) return;
    }
  }
  try {
    if (!installed()) await run("bash", [join(ROOT, "scripts/sst-install.sh")], { cwd: ROOT });
  } finally {
    rmdirSync(lock);
  }
}

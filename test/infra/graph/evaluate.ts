import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ACCOUNT, call, newResource, REGION } from "./awsMocks.ts";
import { startCliRpc } from "./cliRpc.ts";
import { plain } from "./plain.ts";
import { buildProgram } from "./program.ts";

/**
 * One evaluation of sst.config.ts, as `sst deploy` would run it, under Pulumi's mock runtime: its
 * own process (the Pulumi runtime's state is global), run by graph.ts. Arguments: the repository,
 * the stage, SST's working directory (where the function builds, their zips and the agent's
 * bundle go) and the JSON file to write the graph to (graph.ts documents its shape).
 *
 *   node bin/run-ts.mjs test/infra/graph/evaluate.ts ROOT STAGE WORK OUT.json
 *
 * SST's secrets are read from SST_SECRET_<Name>, as the CLI passes them.
 */
const [root, stage, work, out] = process.argv.slice(2);
const platform = join(root, ".sst/platform");

/**
 * The part of Pulumi's runtime used here, typed by hand: the SDK is the platform's own (the one
 * the program's components import, so the mocks reach them), which the main tsc does not see.
 */
interface PulumiRuntime {
  setMocks(
    mocks: {
      newResource(args: { type: string; name: string; inputs: Record<string, unknown>; custom?: boolean }): {
        id: string;
        state: Record<string, unknown>;
      };
      call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
    },
    project: string,
    stack: string,
    preview: boolean,
  ): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
  registerStackTransformation(t: (args: { type: string; name: string; opts: { parent?: unknown } }) => undefined): void;
  disconnect(): Promise<void>;
}
const pulumi = createRequire(join(platform, "package.json"))("@pulumi/pulumi") as { runtime: PulumiRuntime };

// The app's settings, from the config's app() as the CLI evaluates it first.
Object.assign(globalThis, { $config: (config: unknown) => config });
const config = (await import(pathToFileURL(join(root, "sst.config.ts")).href)).default as {
  app(input: { stage: string }): { name: string; home: string; removal?: string; protect?: boolean };
};
const settings = config.app({ stage });
const app = {
  ...settings,
  stage,
  removal: settings.removal ?? "retain",
  protect: settings.protect ?? false,
  providers: { [settings.home]: { region: REGION } },
};

interface Recorded {
  type: string;
  name: string;
  custom: boolean;
  id: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}
const recorded: Recorded[] = [];
const parents = new Map<string, string>();

await pulumi.runtime.setMocks(
  {
    newResource(args) {
      const { id, state } = newResource(args);
      recorded.push({ type: args.type, name: args.name, custom: Boolean(args.custom), id, inputs: args.inputs, state });
      return { id, state };
    },
    call: (args) => call(args.token, args.inputs),
  },
  app.name,
  stage,
  false,
);

const rpc = await startCliRpc({ root, work, account: ACCOUNT });
process.env.SST_SERVER = rpc.url;

const program = join(platform, `berth-graph.${process.pid}.mjs`);
try {
  await buildProgram(
    root,
    {
      app,
      cli: { command: "deploy", paths: { home: join(work, "home"), root, work, platform } },
    },
    program,
  );
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    // Which component each resource belongs to (the mock runtime is not told).
    pulumi.runtime.registerStackTransformation((args) => {
      const parent = args.opts.parent as { __name?: string } | undefined;
      if (parent?.__name) parents.set(`${args.type}::${args.name}`, parent.__name);
      return undefined;
    });
    return (await import(pathToFileURL(program).href)).default;
  });
  await pulumi.runtime.disconnect();

  const resources = await Promise.all(
    recorded.map(async (r) => ({
      type: r.type,
      name: r.name,
      parent: parents.get(`${r.type}::${r.name}`),
      custom: r.custom,
      id: r.id,
      inputs: await plain(r.inputs),
      outputs: await plain(r.state),
    })),
  );
  writeFileSync(out, JSON.stringify({ app, resources, outputs: await plain(outputs) }, null, 1));
} finally {
  rmSync(program, { force: true });
  await rpc.close();
}

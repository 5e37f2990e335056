import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { NODE_BUNDLE } from "../../../infra/nodeBundle.ts";

/**
 * sst.config.ts as SST's CLI turns it into the Pulumi program it deploys (its pkg/project
 * stack.go and pkg/js): one ESM file under .sst/platform (so that the providers it leaves
 * external resolve from the platform's node_modules) whose entry calls the platform's
 * auto/run.ts with the config's run(). `$app`, `$cli` and `$dev` are compile-time defines; the
 * `$` helpers come from the platform's shim by esbuild's inject; `sst` and each provider of
 * .sst/provider-lock.json (`aws`) are imported at the top of every file of the project, not of the
 * platform. The same build as a deploy, so a mistake in infra/ that only the bundling would show
 * (an import SST's globals cannot reach, a top-level await) shows here.
 */
export interface CliContext {
  app: Record<string, unknown>;
  /** What `$cli` holds: the command and the paths the components write to and read from. */
  cli: { command: string; paths: { home: string; root: string; work: string; platform: string } };
}

/** What SST's CLI leaves out of the program: loaded at run time from the platform's node_modules. */
const EXTERNAL = [
  "@pulumi/*",
  "undici",
  "@pulumiverse/*",
  "@sst-provider/*",
  "@aws-sdk/*",
  "esbuild",
  "archiver",
  "glob",
  "vite",
];

export async function buildProgram(root: string, context: CliContext, outfile: string): Promise<void> {
  const platform = join(root, ".sst/platform");
  const providers = JSON.parse(readFileSync(join(root, ".sst/provider-lock.json"), "utf8")) as {
    alias: string;
    package: string;
  }[];
  const globals = [
    ...providers.map((p) => `import * as ${p.alias} from "${p.package}";`),
    `import * as sst from "${join(platform, "src/components")}";`,
  ].join("\n");

  await build({
    stdin: {
      contents: [
        `import { run } from "${join(platform, "src/auto/run.ts")}";`,
        `import mod from "${join(root, "sst.config.ts")}";`,
        "export default await run(mod.run);",
      ].join("\n"),
      resolveDir: root,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"],
    nodePaths: [join(platform, "node_modules")],
    external: EXTERNAL,
    define: { $app: JSON.stringify(context.app), $cli: JSON.stringify(context.cli), $dev: "false" },
    inject: [join(platform, "src/shim/run.js")],
    // SST's eval build has the same CommonJS banner as its function builds.
    banner: NODE_BUNDLE.banner,
    plugins: [
      {
        name: "inject-globals",
        setup(b) {
          b.onLoad({ filter: /\.(js|ts|jsx|tsx)$/ }, (args) =>
            args.path.includes(".sst")
              ? undefined
              : { contents: `${globals}\n${readFileSync(args.path, "utf8")}`, loader: "default" },
          );
        },
      },
    ],
    outfile,
    write: true,
    logLevel: "silent",
  });
}

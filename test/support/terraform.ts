import { execFile, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Terraform with the hashicorp/aws provider from a filesystem mirror (no registry: the machine
 * image has terraform 1.11.4 and the provider 5.100.0 under /opt/tf-plugins; BERTH_TF_PLUGIN_DIR
 * points elsewhere). Runs are asynchronous: the Berth under test answers in this same process.
 */
export const TF_PROVIDER_VERSION = "5.100.0";
const pluginDir = process.env.BERTH_TF_PLUGIN_DIR ?? "/opt/tf-plugins";

/** Why Terraform cannot run here, or undefined when it can. */
export function terraformMissing(): string | undefined {
  if (spawnSync("terraform", ["version"], { stdio: "ignore" }).status !== 0) return "terraform is not on PATH";
  const provider = join(pluginDir, "registry.terraform.io/hashicorp/aws", TF_PROVIDER_VERSION);
  if (!existsSync(provider)) return `the hashicorp/aws ${TF_PROVIDER_VERSION} provider is not mirrored at ${provider}`;
  return undefined;
}

export interface TerraformRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A working directory where `terraform ARGS` runs with the mirror, no prompts and the given TF_VAR_s. */
export function terraformIn(dir: string, vars: Record<string, string>) {
  const config = join(dir, "terraformrc");
  writeFileSync(config, `provider_installation {\n  filesystem_mirror {\n    path = "${pluginDir}"\n  }\n}\n`);
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    TF_CLI_CONFIG_FILE: config,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    ...Object.fromEntries(Object.entries(vars).map(([name, value]) => [`TF_VAR_${name}`, value])),
  };
  /** Resolves with the exit code and output (a non-zero code is an answer, not an error: plan -detailed-exitcode). */
  const run = (...args: string[]): Promise<TerraformRun> =>
    new Promise((resolve) => {
      execFile(
        "terraform",
        [...args, "-no-color"],
        { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  /** Like `run`, failing with Terraform's output unless it exits with `expected`. */
  const expectCode = async (expected: number, ...args: string[]): Promise<TerraformRun> => {
    const result = await run(...args);
    if (result.code !== expected) {
      throw new Error(
        `terraform ${args.join(" ")} exited with ${result.code}, not ${expected}:\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-4000)}`,
      );
    }
    return result;
  };
  return { run, expectCode };
}

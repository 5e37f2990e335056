/**
 * Terraform's aws_ecs_capacity_provider, aws_ecs_cluster_capacity_providers and a service's
 * capacity_provider_strategy against Berth (the AWS provider from the machine's filesystem
 * mirror, /opt/tf-plugins, as nothing can be downloaded): apply, a plan with no changes, and
 * destroy, whose order (the association, then the provider at once) must not leave the provider
 * DELETE_FAILED. The service's tasks wait in PROVISIONING (managed scaling, no instance).
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeCapacityProvidersCommand, DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

const MIRROR = "/opt/tf-plugins";
const missing =
  spawnSync("terraform", ["version"], { stdio: "ignore" }).status !== 0
    ? "terraform is not on PATH"
    : existsSync(join(MIRROR, "registry.terraform.io/hashicorp/aws"))
      ? undefined
      : `no AWS provider under ${MIRROR}`;

let berth: TestBerth;
let dir: string;

beforeAll(async () => {
  if (missing) return;
  berth = await startBerth();
  dir = mkdtempSync(join(tmpdir(), "berth-tf-"));
  copyFileSync(join(import.meta.dirname, "fixtures/capacity-providers.tf"), join(dir, "main.tf"));
  writeFileSync(
    join(dir, "cli.tfrc"),
    `provider_installation {
  filesystem_mirror {
    path    = "${MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
`,
  );
}, 60_000);
afterAll(async () => {
  await berth?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs terraform in the fixture's directory against Berth: its exit code and output. Not
 * spawnSync: Berth answers from this very process.
 */
function terraform(...args: string[]): Promise<{ status: number | null; output: string }> {
  const run = spawn("terraform", [...args, "-no-color"], {
    cwd: dir,
    timeout: 240_000,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(dir, "cli.tfrc"),
      TF_IN_AUTOMATION: "1",
      TF_VAR_endpoint: berth.url,
      AWS_ACCESS_KEY_ID: berth.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: berth.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });
  let output = "";
  run.stdout.on("data", (chunk) => {
    output += chunk;
  });
  run.stderr.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => run.on("close", (status) => resolve({ status, output })));
}

describe.skipIf(missing)("Terraform's capacity provider resources", () => {
  it("apply, plan with no changes, and destroy", async () => {
    expect((await terraform("init", "-input=false")).status).toBe(0);
    const applied = await terraform("apply", "-auto-approve", "-input=false");
    expect(applied.status, applied.output).toBe(0);
    const [service] =
      (await berth.ecs.send(new DescribeServicesCommand({ cluster: "tf-web", services: ["tf-app"] }))).services ?? [];
    expect(service?.capacityProviderStrategy).toEqual([{ capacityProvider: "tf-hosts", weight: 1, base: 0 }]);

    // -detailed-exitcode: 0 when there is nothing to change, 2 when there is.
    const plan = await terraform("plan", "-detailed-exitcode", "-input=false");
    expect(plan.status, plan.output).toBe(0);

    const destroyed = await terraform("destroy", "-auto-approve", "-input=false");
    expect(destroyed.status, destroyed.output).toBe(0);
    const [provider] =
      (await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ["tf-hosts"] })))
        .capacityProviders ?? [];
    expect(provider).toMatchObject({ status: "INACTIVE", updateStatus: "DELETE_COMPLETE" });
  }, 600_000);
});

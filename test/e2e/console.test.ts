import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../agent/controlPlane.ts";
import type { CreateAccessKeyResponse, GetUtilizationHistoryResponse } from "../../core/actions/berth/shapes.ts";
import { accessibilityViolations, browserUnavailable, launchBrowser } from "../support/browser.ts";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import {
  containersLabelled,
  dockerUnavailable,
  removeContainersLabelled,
  TASK_ARN_LABEL,
  TEST_IMAGE,
} from "../support/docker.ts";
import { until } from "../support/poll.ts";

/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core) against
 * `berth local` with its agent on Docker: sign in with the printed key, watch a service created
 * through the API reach its count, scale it from the console and see Docker's containers follow,
 * see a killed container's exit code, a read-only key's buttons disabled, and the service's auto
 * scaling set up through Application Auto Scaling's SDK. Screenshots of the
 * main pages go to the folder printed at the start.
 */
const docker = new Docker();
const unavailable = (await dockerUnavailable(docker)) ?? browserUnavailable();
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/console: skipped, ${unavailable} (CI=true makes this fail).`);

const FAMILY = `e2e-console-${process.pid}`;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const SERVICE = `web-${process.pid}`;
const TIMINGS = {
  ECS_CONTAINER_STOP_TIMEOUT: "1s",
  BERTH_HEARTBEAT_SECONDS: "1",
  BERTH_AGENT_HEARTBEAT_SECONDS: "2",
  BERTH_SERVICE_SWEEP_SECONDS: "1",
  BERTH_SERVICE_START_BACKOFF_SECONDS: "0.01",
};

describe.skipIf(unavailable !== undefined && !inCi)("the web console", { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-console-"));
  const screens = process.env.BERTH_TEST_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "berth-console-screens-"));
  let berth: BerthProcess;
  let ecs: ECSClient;
  let readOnly: { accessKeyId: string; secretAccessKey: string };
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let consoleUrl: string;

  const shot = async (name: string, on = page) => {
    await on.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
  };
  const running = async () =>
    (await containersLabelled(docker, FAMILY_LABEL, FAMILY)).filter((c) => c.State === "running");
  /** A link of the header's navigation. */
  const nav = (name: string, on = page) => on.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  const signIn = async (on: Page, key: { accessKeyId: string; secretAccessKey: string }) => {
    await on.goto(consoleUrl);
    if (on === page) await shot("sign-in");
    await on.getByLabel("Access key ID").fill(key.accessKeyId);
    await on.getByLabel("Secret access key").fill(key.secretAccessKey);
    await on.getByRole("button", { name: "Sign in" }).click();
    await on.getByRole("heading", { name: "Clusters" }).waitFor();
  };

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs Docker and chromium.`);
    mkdirSync(screens, { recursive: true });
    console.log(`e2e/console: screenshots in ${screens}`);
    berth = await spawnBerth(dataDir, TIMINGS, { agent: true });
    consoleUrl = /console:\s+(\S+)/.exec(berth.output())?.[1] ?? "";
    expect(consoleUrl).toBe(`${berth.url}/console/`);
    const credentials = { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey };
    ecs = new ECSClient({ endpoint: berth.url, region: berth.region, credentials });
    const admin = createControlPlane({ endpoint: berth.url, region: berth.region, credentials });
    const created = await admin.berth<CreateAccessKeyResponse>("CreateAccessKey", { policy: { kind: "read-only" } });
    admin.destroy();
    readOnly = created.accessKey;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [
          {
            name: "httpd",
            image: TEST_IMAGE,
            memory: 16,
            essential: true,
            command: ["httpd", "-f", "-p", "8080"],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
          },
        ],
      }),
    );
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await ecs?.send(new DeleteServiceCommand({ cluster: "default", service: SERVICE, force: true })).catch(() => {});
    await browser?.dispose();
    await berth?.stop();
    ecs?.destroy();
    await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("signs in with the printed key and shows a service created through the API reach its count", async () => {
    await signIn(page, berth);
    await shot("clusters");
    await nav("Services");
    await page.getByRole("heading", { name: "Services of default" }).waitFor();
    await ecs.send(
      new CreateServiceCommand({ cluster: "default", serviceName: SERVICE, taskDefinition: FAMILY, desiredCount: 1 }),
    );
    // No reload: the list polls.
    const row = page.getByRole("row", { name: new RegExp(SERVICE) });
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.getByRole("cell").nth(4).textContent(), { timeout: 30_000 }).toBe("1");
    await shot("services");
    await page.getByRole("link", { name: SERVICE }).click();
    await expect.poll(() => page.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("1");
  });

  it("shows ECS's words when a change is refused", async () => {
    await page.getByLabel("Desired count").fill("-1");
    await page.getByRole("button", { name: "Scale" }).click();
    const dialog = page.getByRole("dialog", { name: "Scale" });
    await dialog.getByRole("button", { name: "Scale" }).click();
    await expect
      .poll(() => dialog.getByRole("alert").textContent())
      .toBe("InvalidParameterException: desiredCount must be at least 0.");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("scales the service from the console, and Docker's containers follow", async () => {
    await page.getByLabel("Desired count").fill("3");
    await page.getByRole("button", { name: "Scale" }).click();
    const dialog = page.getByRole("dialog", { name: "Scale" });
    await expect.poll(() => dialog.textContent()).toContain("from 1 to 3");
    await dialog.getByRole("button", { name: "Scale" }).click();
    await until("3 running containers", async () => (await running()).length === 3, 60_000, 250);
    await expect.poll(() => page.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("3");
    await shot("service");
    await nav("Cluster default");
    await page.getByRole("heading", { name: "Capacity" }).waitFor();
    await shot("cluster");
    // The colours follow the system's scheme.
    await page.emulateMedia({ colorScheme: "dark" });
    await shot("cluster-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await nav("Instances");
    await page.getByRole("button", { name: "Drain" }).waitFor();
    await shot("instances");
  });

  it("shows the exit code and stop code of a task whose container was killed", async () => {
    const [victim] = await running();
    const taskArn = victim.Labels[TASK_ARN_LABEL];
    await docker.getContainer(victim.Id).kill();
    await page.goto(`${consoleUrl}#/c/default/tasks/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`);
    await expect
      .poll(() => page.getByTestId("stop-code").textContent(), { timeout: 30_000 })
      .toBe("EssentialContainerExited");
    await expect.poll(() => page.locator(".exit").first().textContent()).toContain("exit 137");
    await shot("task");
    await nav("Tasks");
    await page.getByRole("heading", { name: "Stopped" }).waitFor();
    await expect.poll(() => page.locator("main").textContent()).toContain("exit 137");
    await shot("tasks");
    await nav("Events");
    await page.getByLabel("Show").selectOption("task");
    await page.getByLabel("Containing").fill(taskArn.slice(taskArn.lastIndexOf("/") + 1));
    await expect
      .poll(() => page.locator("tbody").first().textContent(), { timeout: 15_000 })
      .toContain("EssentialContainerExited");
    await page.getByLabel("Containing").fill("");
    await shot("events");
    await nav("Task definitions");
    await page.getByRole("link", { name: FAMILY }).click();
    await page.getByRole("button", { name: "Deregister" }).waitFor();
    await shot("task-definition");
  });

  it("disables a read-only key's buttons and says why", async () => {
    // A new tab has its own sessionStorage: signed out.
    const other = await browser.newPage();
    await signIn(other, readOnly);
    await other.goto(`${consoleUrl}#/c/default/services/${SERVICE}`);
    await expect.poll(() => other.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("3");
    const reason = other.getByRole("note");
    await expect.poll(() => reason.textContent()).toContain("read-only: it can see everything and change nothing");
    for (const name of ["Scale", "Force new deployment"]) {
      expect(await other.getByRole("button", { name }).isDisabled(), name).toBe(true);
    }
    const stops = other.getByRole("button", { name: "Stop" });
    expect(await stops.count()).toBeGreaterThan(0);
    for (const stop of await stops.all()) expect(await stop.isDisabled()).toBe(true);
    await shot("service-read-only", other);
    await other.close();
  });

  it("charts an instance's utilization from Berth's history, from before the page was opened", async () => {
    const credentials = { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey };
    const admin = createControlPlane({ endpoint: berth.url, region: berth.region, credentials });
    const [instance] =
      (await ecs.send(new ListContainerInstancesCommand({ cluster: "default" }))).containerInstanceArns ?? [];
    // Two samples at least: the oldest is then a sample period (six heartbeats) older than the latest beat.
    const kept = await until(
      "two samples of the instance's utilization",
      async () => {
        const history = await admin.berth<GetUtilizationHistoryResponse>("GetUtilizationHistory", {
          containerInstance: instance,
        });
        return history.samples.length >= 2 && history.samples;
      },
      60_000,
      1_000,
    );
    admin.destroy();
    const oldest = (kept[0].at as unknown as number) * 1000;
    // A new tab has seen no heartbeat: what it charts from before the oldest kept sample is Berth's.
    const fresh = await browser.newPage();
    await signIn(fresh, readOnly);
    await fresh.goto(`${consoleUrl}#/c/default/instances`);
    const since = fresh.locator("figure.chart figcaption time");
    await since.waitFor();
    expect(Date.parse((await since.getAttribute("datetime")) ?? "")).toBeLessThanOrEqual(oldest + 1_000);
    await shot("instances-history", fresh);
    await fresh.close();
  });

  it("shows the service's scalable target, policy, scheduled action and scaling activity", async () => {
    await page.goto(`${consoleUrl}#/c/default/services/${SERVICE}`);
    const target = page.getByTestId("scalable-target");
    await expect.poll(() => target.textContent()).toBe("None: no scalable target is registered for this service.");
    const scaling = new ApplicationAutoScalingClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
    const of = {
      ServiceNamespace: "ecs" as const,
      ResourceId: `service/default/${SERVICE}`,
      ScalableDimension: "ecs:service:DesiredCount" as const,
    };
    // A minimum above the 3 running brings the service to 4 (an activity); the tasks reserve no
    // CPU, so the policy has no metric to act on, and it may not scale in.
    await scaling.send(new RegisterScalableTargetCommand({ ...of, MinCapacity: 4, MaxCapacity: 6 }));
    await scaling.send(
      new PutScalingPolicyCommand({
        ...of,
        PolicyName: "cpu75",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 75,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ScaleOutCooldown: 60,
          DisableScaleIn: true,
        },
      }),
    );
    await scaling.send(
      new PutScheduledActionCommand({
        ...of,
        ScheduledActionName: "nightly",
        Schedule: "cron(0 3 * * ? *)",
        ScalableTargetAction: { MinCapacity: 4, MaxCapacity: 6 },
      }),
    );
    scaling.destroy();
    // No reload: the section polls.
    await expect
      .poll(() => target.textContent(), { timeout: 15_000 })
      .toBe("Scalable target: 4 to 6 tasks. Suspended: no.");
    const section = page.getByRole("region", { name: "Auto scaling" });
    const cells = (row: string) =>
      section
        .getByRole("row", { name: new RegExp(row) })
        .getByRole("cell")
        .allTextContents();
    expect(await cells("cpu75")).toEqual([
      "TargetTrackingScaling",
      "ECSServiceAverageCPUUtilization",
      "75",
      "60 s",
      "300 s",
      "disabled",
    ]);
    expect(await cells("nightly")).toEqual(["cron(0 3 * * ? *)", "UTC", "4", "6"]);
    const activity = section.getByRole("row", { name: /Setting desired count to 4\./ });
    await activity.waitFor({ timeout: 30_000 });
    expect(await activity.textContent()).toContain("Successful");
    expect(await activity.textContent()).toContain("outside the scalable target's capacity range [4, 6]");
    await expect.poll(() => page.getByTestId("running").textContent(), { timeout: 60_000 }).toBe("4");
    // The scale box follows the new count: a Scale click would not set it back to 3.
    await expect.poll(() => page.getByLabel("Desired count").inputValue(), { timeout: 30_000 }).toBe("4");
    await shot("service-scaling");
  });

  it("shows a key not allowed Application Auto Scaling its refusal in that section, and the rest of the page", async () => {
    const credentials = { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey };
    const admin = createControlPlane({ endpoint: berth.url, region: berth.region, credentials });
    const created = await admin.berth<CreateAccessKeyResponse>("CreateAccessKey", {
      policy: { kind: "scoped", actions: ["ecs:*", "berth:*"], resources: ["*"] },
    });
    admin.destroy();
    const other = await browser.newPage();
    await signIn(other, created.accessKey);
    await other.goto(`${consoleUrl}#/c/default/services/${SERVICE}`);
    await expect.poll(() => other.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("4");
    const refusal = other.getByRole("region", { name: "Auto scaling" }).getByRole("alert");
    await expect.poll(() => refusal.textContent(), { timeout: 15_000 }).toMatch(/^AccessDeniedException: /);
    await shot("service-scaling-refused", other);
    await other.close();
  });

  it("works from the keyboard: a confirmation opens with Enter, closes with Escape, focus comes back", async () => {
    await page.goto(`${consoleUrl}#/c/default/services/${SERVICE}`);
    const force = page.getByRole("button", { name: "Force new deployment" });
    await force.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Force new deployment" });
    await dialog.waitFor();
    expect(await dialog.getByRole("button", { name: "Cancel" }).evaluate((b) => b === document.activeElement)).toBe(
      true,
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await force.evaluate((b) => b === document.activeElement)).toBe(true);
  });

  it("passes axe-core's WCAG 2 A and AA checks on every page, light and dark", async () => {
    const views = ["", "c/default", "c/default/instances", "c/default/services", `c/default/services/${SERVICE}`];
    views.push("c/default/tasks", "c/default/events", "task-definitions", `task-definitions/${FAMILY}`);
    const found: string[] = [];
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const view of views) {
        await page.goto(`${consoleUrl}#/${view}`);
        await page.getByText("Live · updated").first().waitFor();
        found.push(...(await accessibilityViolations(page)).map((v) => `${colorScheme} #/${view}: ${v}`));
      }
      await page.goto(`${consoleUrl}#/c/default/services/${SERVICE}`);
      await page.getByRole("button", { name: "Force new deployment" }).click();
      found.push(...(await accessibilityViolations(page)).map((v) => `${colorScheme} dialog: ${v}`));
      await page.keyboard.press("Escape");
    }
    const signedOut = await browser.newPage();
    await signedOut.goto(consoleUrl);
    await signedOut.getByLabel("Access key ID").waitFor();
    found.push(...(await accessibilityViolations(signedOut)).map((v) => `sign-in: ${v}`));
    await signedOut.close();
    expect(found).toEqual([]);
  });
  it("shows an EXTERNAL service's task sets, and offers no forced deployment there", async () => {
    const external = `${SERVICE}-ext`;
    await ecs.send(
      new CreateServiceCommand({
        cluster: "default",
        serviceName: external,
        desiredCount: 0,
        deploymentController: { type: "EXTERNAL" },
      }),
    );
    const { taskSet } = await ecs.send(
      new CreateTaskSetCommand({ cluster: "default", service: external, taskDefinition: FAMILY, externalId: "blue" }),
    );
    await page.goto(`${consoleUrl}#/c/default/services/${external}`);
    const row = page.getByRole("row", { name: new RegExp(taskSet?.id ?? "none") });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain("blue");
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain("STEADY_STATE");
    expect(await page.getByRole("button", { name: "Force new deployment" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Deployments" }).count()).toBe(0);
    await shot("task-sets");
    await ecs.send(new DeleteServiceCommand({ cluster: "default", service: external, force: true }));
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECSClient } from "@aws-sdk/client-ecs";
import type { ThrottleLimits } from "../../core/auth/throttle.ts";
import type { Ec2IdentityOptions, Partition } from "../../core/model/config.ts";
import { type Elbv2Options, localOptions, type SchedulerOptions } from "../../local/config.ts";
import { type RunningLocal, startLocal } from "../../local/server.ts";
import { testStoreEnv } from "./testStore.ts";

export interface TestBerth extends RunningLocal {
  ecs: ECSClient;
  dataDir: string;
  /** Stop the server; the data dir is kept when `keepData` is set (restart tests). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestBerthOptions {
  /**
   * The control plane's agent heartbeat interval. Long by default: tests register instances by
   * hand, without an agent to beat for them, and expect them to stay connected.
   */
  heartbeatSeconds?: number;
  /** The service scheduler's timings (local mode's defaults when absent). */
  scheduler?: Partial<SchedulerOptions>;
  /** Per-key throttling (local mode's generous defaults when absent). */
  throttle?: Partial<ThrottleLimits>;
  /** Where ARNs point and signatures are scoped (local mode's us-east-1 and 000000000000 when absent). */
  partition?: Partition;
  /** How long the bootstrap token file is trusted before it is read again (local mode's 10 s when absent). */
  bootstrapTokenMaxAgeMs?: number;
  /** EC2 identity checks of registrations (off when absent, as in local mode). */
  ec2Identity?: Ec2IdentityOptions;
  /** The ELBv2 API for services' loadBalancers (none when absent, as in local mode). */
  elbv2?: Elbv2Options;
  /** The Auto Scaling API for managed scaling (none when absent, as in local mode). */
  autoScaling?: Elbv2Options;
}

/** A real local-mode server on a free port, with an SDK client signed with its key. */
export async function startBerth(
  dataDir = mkdtempSync(join(tmpdir(), "berth-test-")),
  options: TestBerthOptions = {},
): Promise<TestBerth> {
  const defaults = localOptions({ port: "0", "data-dir": dataDir, "no-agent": true }, testStoreEnv(dataDir));
  const local = await startLocal({
    ...defaults,
    agentHeartbeatSeconds: options.heartbeatSeconds ?? 3600,
    scheduler: { ...defaults.scheduler, ...options.scheduler },
    access: {
      ...defaults.access,
      throttle: { ...defaults.access.throttle, ...options.throttle },
      bootstrapTokenMaxAgeMs: options.bootstrapTokenMaxAgeMs,
    },
    partition: options.partition ?? defaults.partition,
    ec2Identity: options.ec2Identity,
    elbv2: options.elbv2,
    autoScaling: options.autoScaling,
  });
  const ecs = new ECSClient({
    endpoint: local.url,
    region: options.partition?.region ?? defaults.partition.region,
    credentials: { accessKeyId: local.credentials.accessKeyId, secretAccessKey: local.credentials.secretAccessKey },
    maxAttempts: 1,
  });
  return {
    ...local,
    ecs,
    dataDir,
    async stop(options) {
      ecs.destroy();
      await local.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

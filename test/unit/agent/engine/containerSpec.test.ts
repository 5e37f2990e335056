import { describe, expect, it } from "vitest";
import { containerSpec, UnsupportedTaskError } from "../../../../agent/engine/index.ts";
import { desiredTask, IMAGE } from "./fixtures.ts";

const TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/test/0123456789abcdef0123456789abcdef";

describe("containerSpec", () => {
  const { task, taskDefinition } = desiredTask(
    [
      {
        name: "web",
        command: ["httpd", "-f"],
        entryPoint: ["/bin/sh", "-c"],
        environment: [
          { name: "A", value: "1" },
          { name: "TOKEN", value: "plain" },
        ],
        secrets: [{ name: "TOKEN", valueFrom: "/app/token" }],
        workingDirectory: "/srv",
        user: "1000",
        cpu: 256,
        memory: 128,
        memoryReservation: 64,
        portMappings: [{ containerPort: 80 }, { containerPort: 53, hostPort: 5353, protocol: "udp" }],
        links: ["db:database"],
        mountPoints: [
          { sourceVolume: "data", containerPath: "/data" },
          { sourceVolume: "host", containerPath: "/host", readOnly: true },
        ],
        volumesFrom: [{ sourceContainer: "db", readOnly: true }],
        ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 2048 }],
        logConfiguration: { logDriver: "json-file", options: { "max-size": "10m" } },
        dockerLabels: { team: "a", "com.amazonaws.ecs.task-arn": "spoofed" },
        healthCheck: { command: ["CMD-SHELL", "true"], interval: 10, retries: 2 },
        stopTimeout: 5,
        privileged: false,
        readonlyRootFilesystem: true,
        extraHosts: [{ hostname: "db.local", ipAddress: "10.0.0.2" }],
        dnsServers: ["1.1.1.1"],
        hostname: "web1",
      },
      { name: "db", cpu: 0 },
    ],
    {
      taskArn: TASK_ARN,
      definition: { volumes: [{ name: "data" }, { name: "host", host: { sourcePath: "/var/lib/x" } }] },
    },
  );
  task.overrides = { containerOverrides: [{ name: "web", environment: [{ name: "B", value: "2" }] }] };
  const [web, db] = taskDefinition.containerDefinitions ?? [];
  const spec = containerSpec(task, taskDefinition, web, { cluster: "prod", secrets: { TOKEN: "s3cret" } });

  it("names the container deterministically and labels it as ECS does", () => {
    expect(spec.name).toBe("ecs-web-1-web-0123456789abcdef0123");
    expect(spec.Labels).toEqual({
      team: "a",
      "com.amazonaws.ecs.task-arn": TASK_ARN,
      "com.amazonaws.ecs.container-name": "web",
      "com.amazonaws.ecs.cluster": "prod",
      "com.amazonaws.ecs.task-definition-family": "web",
      "com.amazonaws.ecs.task-definition-version": "1",
    });
  });

  it("maps the process, environment and secrets", () => {
    expect(spec).toMatchObject({
      Image: IMAGE,
      Cmd: ["httpd", "-f"],
      Entrypoint: ["/bin/sh", "-c"],
      WorkingDir: "/srv",
      User: "1000",
      Hostname: "web1",
      StopTimeout: 5,
    });
    expect(spec.Env).toEqual(["A=1", "TOKEN=s3cret", "B=2"]);
  });

  it("maps resources, ports, links and volumes", () => {
    expect(spec.ExposedPorts).toEqual({ "80/tcp": {}, "53/udp": {} });
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: "bridge",
      CpuShares: 256,
      Memory: 128 * 1048576,
      MemoryReservation: 64 * 1048576,
      PortBindings: { "80/tcp": [{ HostPort: "" }], "53/udp": [{ HostPort: "5353" }] },
      Links: ["ecs-web-1-db-0123456789abcdef0123:database"],
      Binds: ["ecs-web-1-data-0123456789abcdef0123:/data", "/var/lib/x:/host:ro"],
      VolumesFrom: ["ecs-web-1-db-0123456789abcdef0123:ro"],
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      LogConfig: { Type: "json-file", Config: { "max-size": "10m" } },
      ReadonlyRootfs: true,
      ExtraHosts: ["db.local:10.0.0.2"],
      Dns: ["1.1.1.1"],
    });
  });

  it("maps the health check with ECS's defaults, in nanoseconds", () => {
    expect(spec.Healthcheck).toEqual({
      Test: ["CMD-SHELL", "true"],
      Interval: 10e9,
      Timeout: 5e9,
      Retries: 2,
      StartPeriod: 0,
    });
  });

  it("gives 0 CPU units 2 shares (the ECS agent's Linux rule) and leaves absent limits out", () => {
    const dbSpec = containerSpec(task, taskDefinition, db, { cluster: "prod" });
    expect(dbSpec.HostConfig?.CpuShares).toBe(2);
    expect(dbSpec.HostConfig).not.toHaveProperty("Memory");
    expect(dbSpec).not.toHaveProperty("Env");
  });

  it("host mode publishes nothing and drops links; awsvpc is refused", () => {
    const host = { ...taskDefinition, networkMode: "host" as const };
    const hostSpec = containerSpec(task, host, web, { cluster: "prod" });
    expect(hostSpec.HostConfig?.NetworkMode).toBe("host");
    expect(hostSpec.HostConfig).not.toHaveProperty("PortBindings");
    expect(hostSpec.HostConfig).not.toHaveProperty("Links");
    const awsvpc = { ...taskDefinition, networkMode: "awsvpc" as const };
    expect(() => containerSpec(task, awsvpc, web, { cluster: "prod" })).toThrow(UnsupportedTaskError);
  });
});

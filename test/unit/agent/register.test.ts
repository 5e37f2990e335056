import { arch } from "node:os";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../agent/config.ts";
import { AGENT_VERSION, CAPABILITY_ATTRIBUTES, registrationRequest } from "../../../agent/register.ts";

const config = loadAgentConfig({
  env: {
    BERTH_ENDPOINT: "http://127.0.0.1:7400",
    ECS_CLUSTER: "web",
    ECS_RESERVED_MEMORY: "512",
    ECS_RESERVED_PORTS: "[22, 22, 8080]",
    ECS_RESERVED_PORTS_UDP: "[53]",
    ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod"}',
  },
  configFile: false,
});
const host = { cpus: 4, memoryMiB: 8000, dockerVersion: "20.10.24" };

describe("the registration request", () => {
  it("declares CPU units, memory less the reserve, reserved ports, versions and attributes", () => {
    const request = registrationRequest(config, host);
    expect(request).toMatchObject({
      cluster: "web",
      containerInstanceArn: undefined,
      instanceIdentityDocument: undefined,
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 4096 },
        { name: "MEMORY", type: "INTEGER", integerValue: 7488 },
        { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "8080"] },
        { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: ["53"] },
      ],
      versionInfo: { agentVersion: AGENT_VERSION, dockerVersion: "DockerVersion: 20.10.24" },
    });
    expect(request.attributes).toEqual(
      expect.arrayContaining([
        { name: "ecs.os-type", value: "linux" },
        { name: "ecs.cpu-architecture", value: arch() === "x64" ? "x86_64" : arch() },
        { name: "stack", value: "prod" },
        ...CAPABILITY_ATTRIBUTES.map((name) => ({ name })),
      ]),
    );
  });

  it("renews a previous registration and passes the identity document on", () => {
    const request = registrationRequest(config, host, "arn:aws:ecs:us-east-1:000000000000:container-instance/web/1", {
      document: '{"instanceId":"i-1"}',
      signature: "sig",
    });
    expect(request).toMatchObject({
      containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/web/1",
      instanceIdentityDocument: '{"instanceId":"i-1"}',
      instanceIdentityDocumentSignature: "sig",
    });
  });

  it("names the instance's Auto Scaling group, from its tag in IMDS, unless the configuration names one", () => {
    const identity = { document: "{}", signature: "sig", autoScalingGroup: "berth-hosts" };
    expect(registrationRequest(config, host, undefined, identity).attributes).toContainEqual({
      name: "berth.autoscaling-group",
      value: "berth-hosts",
    });
    const configured = { ...config, instanceAttributes: { "berth.autoscaling-group": "mine" } };
    const named = registrationRequest(configured, host, undefined, identity).attributes ?? [];
    expect(named.filter((a) => a.name === "berth.autoscaling-group")).toEqual([
      { name: "berth.autoscaling-group", value: "mine" },
    ]);
  });

  it("advertises only capabilities the control plane names in requiresAttributes", () => {
    for (const name of CAPABILITY_ATTRIBUTES) expect(name).toMatch(/^(com\.amazonaws\.)?ecs\.capability\./);
    expect(CAPABILITY_ATTRIBUTES).not.toContain("com.amazonaws.ecs.capability.task-iam-role");
  });
});

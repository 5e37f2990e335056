import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small EC2 API server for tests: it answers DescribeInstances and DescribeInstanceTypes in
 * EC2's Query protocol (a form POST in, XML out), from the instances and types a test puts in it. This is a test peer, not a mock of
 * Berth's code: Berth's own EC2 client (core/aws/ec2.ts, over @aws-sdk/client-ec2) talks HTTP to
 * it through its `endpoint`, so the SDK's request building and response parsing run for real.
 */
export interface TestEc2Instance {
  instanceId: string;
  state: "pending" | "running" | "stopping" | "stopped" | "shutting-down" | "terminated";
  tags?: Record<string, string>;
  launchTime?: string;
}

export interface TestEc2Server {
  endpoint: string;
  instances: Map<string, TestEc2Instance>;
  /** Instance types by name: default vCPUs and memory in MiB. */
  instanceTypes: Map<string, { vcpus: number; memoryMiB: number }>;
  /** The DescribeInstances calls received, each the instance ids it asked for. */
  calls: string[][];
  close(): Promise<void>;
}

const STATE_CODES: Record<TestEc2Instance["state"], number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function instanceXml(i: TestEc2Instance): string {
  const tags = Object.entries(i.tags ?? {})
    .map(([key, value]) => `<item><key>${xml(key)}</key><value>${xml(value)}</value></item>`)
    .join("");
  return `<item><instanceId>${i.instanceId}</instanceId><instanceState><code>${STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>${i.launchTime ? `<launchTime>${i.launchTime}</launchTime>` : ""}<tagSet>${tags}</tagSet></item>`;
}

export async function startEc2Server(): Promise<TestEc2Server> {
  const instances = new Map<string, TestEc2Instance>();
  const instanceTypes: TestEc2Server["instanceTypes"] = new Map();
  const calls: string[][] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const form = new URLSearchParams(body);
      const reply = (status: number, text: string) => {
        res.writeHead(status, { "content-type": "text/xml;charset=UTF-8" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
      };
      const error = (code: string, message: string) =>
        reply(
          400,
          `<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>test</RequestID></Response>`,
        );
      if (form.get("Action") === "DescribeInstanceTypes") {
        const names = [...form.entries()].filter(([k]) => /^InstanceType\.\d+$/.test(k)).map(([, v]) => v);
        const unknown = names.filter((name) => !instanceTypes.has(name));
        if (unknown.length > 0) {
          return error(
            "InvalidInstanceType",
            `The following supplied instance types do not exist: [${unknown.join(", ")}]`,
          );
        }
        const types = names.map((name) => {
          const size = instanceTypes.get(name) as { vcpus: number; memoryMiB: number };
          return `<item><instanceType>${xml(name)}</instanceType><vCpuInfo><defaultVCpus>${size.vcpus}</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>${size.memoryMiB}</sizeInMiB></memoryInfo></item>`;
        });
        return reply(
          200,
          `<DescribeInstanceTypesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>test</requestId><instanceTypeSet>${types.join("")}</instanceTypeSet></DescribeInstanceTypesResponse>`,
        );
      }
      if (form.get("Action") !== "DescribeInstances") {
        return reply(
          400,
          `<Response><Errors><Error><Code>InvalidAction</Code><Message>Not served here: ${xml(form.get("Action") ?? "")}</Message></Error></Errors><RequestID>test</RequestID></Response>`,
        );
      }
      const ids = [...form.entries()].filter(([k]) => /^InstanceId\.\d+$/.test(k)).map(([, v]) => v);
      calls.push(ids);
      const missing = ids.filter((id) => !instances.has(id));
      if (missing.length > 0) {
        return reply(
          400,
          `<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID '${xml(missing.join(", "))}' does not exist</Message></Error></Errors><RequestID>test</RequestID></Response>`,
        );
      }
      const items = ids.map((id) => instanceXml(instances.get(id) as TestEc2Instance)).join("");
      reply(
        200,
        `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>test</requestId><reservationSet>${
          ids.length > 0
            ? `<item><reservationId>r-0test</reservationId><ownerId>000000000000</ownerId><instancesSet>${items}</instancesSet></item>`
            : ""
        }</reservationSet></DescribeInstancesResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    instances,
    instanceTypes,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

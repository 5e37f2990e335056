import { createHash } from "node:crypto";

/**
 * What AWS would answer Pulumi for each resource and data source of Berth's graph, for Pulumi's
 * mock runtime (`runtime.setMocks`): a resource's state is its inputs plus what AWS computes
 * (ARNs, ids, URLs, names), shaped as AWS shapes them, so that everything derived from them
 * (IAM policies, environment variables, the user-data, event source mappings) reads as it would
 * after a deploy. Ids are derived from the resource's name: two evaluations give the same graph.
 * A resource type not listed gets its inputs and an id; a data source not listed fails the
 * evaluation, so a new one is noticed.
 */
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

interface NewResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  custom?: boolean;
}

/** A stable id of `length` hex digits for a resource. */
const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);

/** A stable id of `length` lowercase letters and digits, as API Gateway's. */
const alnum = (seed: string, length: number) =>
  BigInt(`0x${hex(seed, 32)}`)
    .toString(36)
    .padStart(length, "0")
    .slice(0, length);

/** The name AWS (or Pulumi's auto-naming) gives a resource that was given none. */
const autoName = (r: NewResource) => `${r.name}-${hex(r.name, 7)}`;

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

type Computed = (r: NewResource, name: string, id: string) => Record<string, unknown>;

const arn = (service: string, resource: string, region = REGION, account = ACCOUNT) =>
  `arn:aws:${service}:${region}:${account}:${resource}`;

/** Per resource type: its id and what AWS computes. */
const RESOURCES: Record<string, { id?: (r: NewResource, name: string) => string; state: Computed }> = {
  "aws:lambda/function:Function": {
    state: (_, name) => {
      const fn = arn("lambda", `function:${name}`);
      return {
        name,
        arn: fn,
        qualifiedArn: `${fn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn}/invocations`,
        version: "$LATEST",
      };
    },
  },
  "aws:iam/role:Role": {
    state: (r, name) => ({
      name,
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      uniqueId: `AROA${hex(r.name, 17).toUpperCase()}`,
    }),
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    state: (_, name) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}` }),
  },
  "aws:iam/policy:Policy": { state: (_, name) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}` }) },
  "aws:iam/rolePolicy:RolePolicy": {
    id: (r, name) => `${str(r.inputs.role)}:${name}`,
    state: (_, name) => ({ name }),
  },
  "aws:sqs/queue:Queue": {
    id: (_, name) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
    state: (_, name, id) => ({ name, url: id, arn: arn("sqs", name) }),
  },
  "aws:dynamodb/table:Table": {
    state: (r, name) => {
      const table = arn("dynamodb", `table/${name}`);
      const label = "2026-12-02T10:00:00.000";
      return r.inputs.streamEnabled
        ? { name, arn: table, streamArn: `${table}/stream/${label}`, streamLabel: label }
        : { name, arn: table };
    },
  },
  "aws:s3/bucketV2:BucketV2": { id: bucketName, state: bucketState },
  "aws:s3/bucket:Bucket": { id: bucketName, state: bucketState },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    id: (r) => str(r.inputs.key) ?? r.name,
    state: (r) => ({ etag: hex(`${r.name}:etag`, 32), versionId: "" }),
  },
  "aws:ssm/parameter:Parameter": {
    state: (_, name) => ({ name, arn: arn("ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 }),
  },
  "aws:cloudwatch/eventBus:EventBus": { state: (_, name) => ({ name, arn: arn("events", `event-bus/${name}`) }) },
  "aws:cloudwatch/eventRule:EventRule": {
    id: (r, name) => (str(r.inputs.eventBusName) ? `${r.inputs.eventBusName}|${name}` : name),
    state: (r, name) => {
      const bus = str(r.inputs.eventBusName);
      return { name, arn: arn("events", bus && bus !== "default" ? `rule/${bus}/${name}` : `rule/${name}`) };
    },
  },
  "aws:cloudwatch/logGroup:LogGroup": { state: (_, name) => ({ name, arn: arn("logs", `log-group:${name}`) }) },
  "aws:apigatewayv2/api:Api": {
    id: (r) => alnum(r.name, 10),
    state: (_, __, id) => ({
      apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`,
      arn: `arn:aws:apigateway:${REGION}::/apis/${id}`,
      executionArn: arn("execute-api", id),
    }),
  },
  "aws:apigatewayv2/stage:Stage": {
    id: (r) => str(r.inputs.name) ?? "$default",
    state: (r, _, id) => {
      const api = str(r.inputs.apiId);
      const path = id === "$default" ? "" : `/${id}`;
      return {
        arn: `arn:aws:apigateway:${REGION}::/apis/${api}/stages/${id}`,
        executionArn: arn("execute-api", `${api}/${id}`),
        invokeUrl: `https://${api}.execute-api.${REGION}.amazonaws.com${path}`,
      };
    },
  },
  // API Gateway's ids of an API's parts: 7 characters.
  "aws:apigatewayv2/integration:Integration": { id: (r) => alnum(r.name, 7), state: () => ({}) },
  "aws:apigatewayv2/route:Route": { id: (r) => alnum(r.name, 7), state: () => ({}) },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    id: (r) => uuid(r.name),
    state: (_, __, id) => ({ uuid: id, arn: arn("lambda", `event-source-mapping:${id}`), state: "Enabled" }),
  },
  "aws:scheduler/schedule:Schedule": {
    state: (r, name) => ({ name, arn: arn("scheduler", `schedule/${str(r.inputs.groupName) ?? "default"}/${name}`) }),
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    id: (r) => `lt-${hex(r.name, 17)}`,
    state: (_, __, id) => ({ arn: arn("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 }),
  },
  "aws:autoscaling/group:Group": {
    id: (_, name) => name,
    state: (_, name) => ({
      name,
      arn: arn("autoscaling", `autoScalingGroup:${uuid(name)}:autoScalingGroupName/${name}`),
    }),
  },
  "random:index/randomBytes:RandomBytes": {
    id: (r) => r.name,
    state: (r) => {
      const bytes = Buffer.alloc(Number(r.inputs.length ?? 32));
      createHash("sha256").update(r.name).digest().copy(bytes);
      return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    },
  },
};

function bucketName(r: NewResource): string {
  return str(r.inputs.bucket) ?? `${r.name.toLowerCase()}-${hex(r.name, 12)}`;
}

function bucketState(r: NewResource): Record<string, unknown> {
  const bucket = bucketName(r);
  return {
    bucket,
    arn: `arn:aws:s3:::${bucket}`,
    bucketDomainName: `${bucket}.s3.amazonaws.com`,
    bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com`,
    region: REGION,
  };
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function newResource(r: NewResource): { id: string; state: Record<string, unknown> } {
  // Components and providers: no AWS resource behind them.
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return { id: r.custom ? r.name : "", state: r.inputs };
  const known = RESOURCES[r.type];
  const name = str(r.inputs.name) ?? autoName(r);
  const id = known?.id?.(r, name) ?? name;
  return { id, state: { ...r.inputs, ...(known?.state(r, name, id) ?? {}) } };
}

/** IAM's JSON for aws.iam.getPolicyDocument's statements, as the provider renders it (one value: no list). */
function policyDocument(inputs: { statements?: Record<string, unknown>[]; version?: string }) {
  const one = (values: unknown) => (Array.isArray(values) && values.length === 1 ? values[0] : values);
  const principals = (list: unknown) =>
    list &&
    Object.fromEntries((list as { type: string; identifiers: string[] }[]).map((p) => [p.type, one(p.identifiers)]));
  const statements = (inputs.statements ?? []).map((s) => {
    const entries: [string, unknown][] = [
      ["Sid", s.sid],
      ["Effect", s.effect ?? "Allow"],
      ["Action", one(s.actions)],
      ["NotAction", one(s.notActions)],
      ["Resource", one(s.resources)],
      ["NotResource", one(s.notResources)],
      ["Principal", principals(s.principals)],
      ["NotPrincipal", principals(s.notPrincipals)],
      [
        "Condition",
        s.conditions &&
          (s.conditions as { test: string; variable: string; values: string[] }[]).reduce<
            Record<string, Record<string, unknown>>
          >((all, c) => {
            all[c.test] = { ...all[c.test], [c.variable]: one(c.values) };
            return all;
          }, {}),
      ],
    ];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== ""));
  });
  const json = JSON.stringify({ Version: inputs.version ?? "2012-10-17", Statement: statements });
  // The provider echoes its arguments (SST reads `statements` back to decide on an inline policy).
  return { ...inputs, json, minifiedJson: json, id: hex(json, 10) };
}

/** Data sources (Pulumi invokes). */
const CALLS: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/berth-deployer`,
    userId: "AIDA5EXAMPLEDEPLOYER",
    id: ACCOUNT,
  }),
  "aws:index/getRegion:getRegion": () => ({
    name: REGION,
    region: REGION,
    id: REGION,
    description: "US East (N. Virginia)",
    endpoint: `ec2.${REGION}.amazonaws.com`,
  }),
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": policyDocument,
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    zoneIds: ["use1-az1", "use1-az2", "use1-az4"],
    groupNames: [REGION],
    id: REGION,
  }),
  "aws:index/getArn:getArn": (inputs) => {
    const [, partition, service, region, account, ...resource] = String(inputs.arn).split(":");
    return { arn: inputs.arn, partition, service, region, account, resource: resource.join(":"), id: inputs.arn };
  },
  "aws:ssm/getParameter:getParameter": (inputs) => ({
    name: inputs.name,
    // The public parameter of the latest Amazon Linux image: an AMI id.
    value: `ami-${hex(String(inputs.name), 17)}`,
    insecureValue: `ami-${hex(String(inputs.name), 17)}`,
    type: "String",
    arn: arn("ssm", `parameter/${String(inputs.name).replace(/^\//, "")}`),
    version: 1,
    id: inputs.name,
  }),
};

export function call(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const found = CALLS[token];
  if (!found) throw new Error(`No mock for the data source ${token}: add one to test/infra/graph/awsMocks.ts`);
  return found(inputs);
}

import { readFileSync } from "node:fs";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { Graph } from "../../infra/graph.ts";
import { localClientConfig } from "../../support/dynamodbLocal.ts";
import { type Outputs, ofType, TYPES } from "./graphParts.ts";

/**
 * What `sst deploy` would create on AWS, created instead in the stand-ins, from the graph's
 * resources as the Pulumi AWS provider would send them: the table (with its stream) in DynamoDB
 * Local; the queues (FIFO, visibility, redrive), the bus and its rules, the SSM parameters, the
 * agent's bucket and object, and the launch template in moto. Lambda's own resources (functions,
 * mappings, targets, routes, the schedule) are not created anywhere: the harness plays them
 * (lambda/, sources/).
 */
export interface StandInEndpoints {
  dynamodb: string;
  moto: string;
}

export const clientConfig = (endpoint: string, region: string) => ({ ...localClientConfig(endpoint), region });

export async function provision(graph: Graph, endpoints: StandInEndpoints, region: string): Promise<void> {
  const moto = clientConfig(endpoints.moto, region);
  await createTables(graph, new DynamoDBClient(clientConfig(endpoints.dynamodb, region)));
  await createQueues(graph, new SQSClient(moto));
  await createBusesAndRules(graph, new EventBridgeClient(moto));
  const ssm = new SSMClient(moto);
  for (const { outputs: p } of ofType(graph, TYPES.parameter)) {
    const o = p as Outputs;
    await ssm.send(new PutParameterCommand({ Name: o.name, Type: o.type, Value: o.value, Overwrite: true }));
  }
  await uploadObjects(graph, endpoints.moto, region);
  const ec2 = new EC2Client(moto);
  for (const { name, outputs } of ofType(graph, TYPES.launchTemplate)) {
    const o = outputs as Outputs as Record<string, unknown>;
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        LaunchTemplateData: {
          ImageId: o.imageId as string,
          InstanceType: o.instanceType as never,
          UserData: o.userData as string,
        },
      }),
    );
  }
}

async function createTables(graph: Graph, dynamodb: DynamoDBClient) {
  for (const { outputs } of ofType(graph, TYPES.table)) {
    const t = outputs as Record<string, never>;
    const keys = (hash: string, range?: string) => [
      { AttributeName: hash, KeyType: "HASH" as const },
      ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
    ];
    await dynamodb.send(
      new CreateTableCommand({
        TableName: t.name,
        BillingMode: t.billingMode,
        AttributeDefinitions: (t.attributes as { name: string; type: string }[]).map((a) => ({
          AttributeName: a.name,
          AttributeType: a.type as never,
        })),
        KeySchema: keys(t.hashKey, t.rangeKey),
        GlobalSecondaryIndexes: (
          t.globalSecondaryIndexes as {
            name: string;
            hashKey: string;
            rangeKey?: string;
            projectionType: string;
            nonKeyAttributes?: string[];
          }[]
        ).map((i) => ({
          IndexName: i.name,
          KeySchema: keys(i.hashKey, i.rangeKey),
          Projection: { ProjectionType: i.projectionType as never, NonKeyAttributes: i.nonKeyAttributes },
        })),
        ...((t.streamEnabled as boolean) && {
          StreamSpecification: { StreamEnabled: true, StreamViewType: t.streamViewType },
        }),
      }),
    );
  }
}

/** Queues a redrive policy names must exist first: dead-letter queues, then the rest. */
async function createQueues(graph: Graph, sqs: SQSClient) {
  const queues = ofType(graph, TYPES.queue).map((q) => q.outputs as Record<string, unknown>);
  queues.sort((a, b) => Number(Boolean(a.redrivePolicy)) - Number(Boolean(b.redrivePolicy)));
  for (const q of queues) {
    const attributes: Record<string, string> = {
      VisibilityTimeout: String(q.visibilityTimeoutSeconds ?? 30),
      DelaySeconds: String(q.delaySeconds ?? 0),
      ...(q.fifoQueue === true && {
        FifoQueue: "true",
        ContentBasedDeduplication: String(q.contentBasedDeduplication === true),
      }),
      ...(typeof q.redrivePolicy === "string" && { RedrivePolicy: q.redrivePolicy }),
    };
    await sqs.send(new CreateQueueCommand({ QueueName: q.name as string, Attributes: attributes }));
  }
}

async function createBusesAndRules(graph: Graph, events: EventBridgeClient) {
  for (const { outputs } of ofType(graph, TYPES.bus)) {
    await events.send(new CreateEventBusCommand({ Name: (outputs as Outputs).name }));
  }
  for (const { outputs } of ofType(graph, TYPES.rule)) {
    const r = outputs as Outputs;
    await events.send(
      new PutRuleCommand({ Name: r.name, EventBusName: r.eventBusName, EventPattern: r.eventPattern, State: r.state }),
    );
  }
}

/** S3 through its REST API (path style): what the hosts download is the object the graph uploads. */
async function uploadObjects(graph: Graph, moto: string, region: string) {
  const buckets = new Set<string>();
  for (const { outputs } of ofType(graph, TYPES.object)) {
    const o = outputs as Record<string, never>;
    const asset = (o.source as { asset?: string } | undefined)?.asset;
    if (!asset) continue; // function code (archives): Lambda's, not S3's, here
    if (!buckets.has(o.bucket)) {
      await s3(moto, "PUT", `/${o.bucket}`, region);
      buckets.add(o.bucket);
    }
    await s3(moto, "PUT", `/${o.bucket}/${o.key}`, region, readFileSync(asset), o.contentType);
  }
}

async function s3(moto: string, method: string, path: string, region: string, body?: Buffer, type?: string) {
  const res = await fetch(`${moto}${path}`, {
    method,
    body: body && new Uint8Array(body),
    headers: {
      ...(type && { "content-type": type }),
      // moto tells services apart by the signature's scope; it checks nothing else of it.
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  if (!res.ok) throw new Error(`S3 ${method} ${path}: ${res.status} ${await res.text()}`);
}

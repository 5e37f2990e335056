import type { Graph, GraphFunction, GraphResource } from "../../infra/graph.ts";

/**
 * Reading the evaluated graph (test/infra/graph.ts) by Pulumi type token: the offline cloud run
 * takes every name, ARN, URL, setting and environment variable from here, never from a copy.
 */
export const TYPES = {
  table: "aws:dynamodb/table:Table",
  queue: "aws:sqs/queue:Queue",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  bus: "aws:cloudwatch/eventBus:EventBus",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  schedule: "aws:scheduler/schedule:Schedule",
  api: "aws:apigatewayv2/api:Api",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  parameter: "aws:ssm/parameter:Parameter",
  bucket: "aws:s3/bucket:Bucket",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
} as const;

/** A resource's outputs (its inputs and what AWS computed), typed loosely as the graph is JSON. */
export type Outputs = Record<string, never>;

export const ofType = (graph: Graph, type: string): GraphResource[] => graph.resources.filter((r) => r.type === type);

export function one(graph: Graph, type: string, where: (o: Outputs) => boolean = () => true): Outputs {
  const found = ofType(graph, type).filter((r) => where(r.outputs as Outputs));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0].outputs as Outputs;
}

/** The function a mapping, rule target, schedule or integration names by ARN. */
export function functionByArn(graph: Graph, arn: string): GraphFunction {
  const fn = graph.functions.find((f) => f.arn === arn);
  if (!fn) throw new Error(`no function ${arn} in the graph`);
  return fn;
}

/** The account and region of the deployment, read off its API's execution ARN. */
export function partitionOf(graph: Graph): { accountId: string; region: string } {
  const [, , , region, accountId] = String(one(graph, TYPES.api).executionArn).split(":");
  return { accountId, region };
}

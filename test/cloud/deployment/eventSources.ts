import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Graph } from "../../infra/graph.ts";
import { startBusRule } from "../sources/busRule.ts";
import { type EventSource, startSqsSource } from "../sources/sqsSource.ts";
import { type StreamFailureRecord, startStreamSource } from "../sources/streamSource.ts";
import { functionByArn, type Outputs, ofType, one, TYPES } from "./graphParts.ts";
import { clientConfig } from "./provision.ts";

/**
 * What invokes the functions besides the HTTP API, each configured from its resource in the
 * graph: every event source mapping (the scheduler's SQS queue, the table's stream with its
 * filter) and every EventBridge rule whose target is a function.
 */
export interface Wiring {
  moto: string;
  dynamodb: string;
  region: string;
  accountId: string;
  /** The function of an ARN, invoked. */
  invoke(arn: string): (event: never) => Promise<unknown>;
  sqsRetryAfterSeconds?: number;
}

/** A mapping's on-failure destination, an SQS queue at the stand-in (the only kind the graph names). */
function onFailureQueue(m: Record<string, unknown>, sqs: SQSClient, w: Wiring) {
  const arn = (m.destinationConfig as { onFailure?: { destinationArn?: string } } | undefined)?.onFailure
    ?.destinationArn;
  if (!arn) return undefined;
  if (!arn.startsWith("arn:aws:sqs:")) throw new Error(`an on-failure destination this harness does not play: ${arn}`);
  const queueUrl = `${w.moto}/${w.accountId}/${arn.split(":")[5]}`;
  return async (record: StreamFailureRecord) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
  };
}

export async function startEventSources(graph: Graph, w: Wiring): Promise<EventSource[]> {
  const { region, accountId } = w;
  const sqs = new SQSClient(clientConfig(w.moto, region));
  const events = new EventBridgeClient(clientConfig(w.moto, region));
  const sources: EventSource[] = [];
  for (const { outputs } of ofType(graph, TYPES.mapping)) {
    const m = outputs as Outputs as Record<string, unknown>;
    const arn = String(m.eventSourceArn);
    const reportBatchItemFailures = ((m.functionResponseTypes as string[]) ?? []).includes("ReportBatchItemFailures");
    if (arn.startsWith("arn:aws:sqs:")) {
      const name = arn.split(":")[5];
      sources.push(
        startSqsSource({
          sqs,
          queueUrl: `${w.moto}/${accountId}/${name}`,
          queueArn: arn,
          region,
          batchSize: Number(m.batchSize ?? 10),
          maximumBatchingWindowInSeconds: Number(m.maximumBatchingWindowInSeconds ?? 0),
          reportBatchItemFailures,
          retryAfterSeconds: w.sqsRetryAfterSeconds,
          invoke: w.invoke(String(m.functionName)),
        }),
      );
    } else if (arn.startsWith("arn:aws:dynamodb:")) {
      const table = one(graph, TYPES.table, (t) => t.streamArn === arn);
      const ddb = new DynamoDBClient(clientConfig(w.dynamodb, region));
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table.name }));
      const filters = ((m.filterCriteria as { filters?: { pattern: string }[] })?.filters ?? []).map((f) =>
        JSON.parse(f.pattern),
      );
      sources.push(
        await startStreamSource({
          streams: new DynamoDBStreamsClient(clientConfig(w.dynamodb, region)),
          streamArn: Table?.LatestStreamArn as string,
          eventSourceArn: arn,
          region,
          batchSize: Number(m.batchSize ?? 100),
          // No filter criteria: every record passes.
          filters: filters.length > 0 ? filters : [{}],
          reportBatchItemFailures,
          bisectBatchOnFunctionError: m.bisectBatchOnFunctionError === true,
          maximumRetryAttempts: Number(m.maximumRetryAttempts ?? 10_000),
          invoke: w.invoke(String(m.functionName)),
          onFailure: onFailureQueue(m, sqs, w),
        }),
      );
    } else {
      throw new Error(`an event source this harness does not play: ${arn}`);
    }
  }
  for (const { outputs } of ofType(graph, TYPES.target)) {
    const t = outputs as Outputs;
    if (!String(t.arn).startsWith("arn:aws:lambda:")) continue;
    functionByArn(graph, t.arn);
    sources.push(
      await startBusRule({
        events,
        sqs: sqs,
        busName: t.eventBusName,
        ruleName: t.rule,
        targetId: t.targetId,
        invoke: w.invoke(t.arn),
      }),
    );
  }
  return sources;
}

import type { Graph, GraphFunction } from "../../infra/graph.ts";
import { lambdaEnvironment } from "../../infra/lambdaEnvironment.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../support/dynamodbLocal.ts";
import { type LambdaFunction, startLambdaFunction } from "../lambda/lambdaFunction.ts";
import { awsHosts } from "../network/awsHosts.ts";
import { type HttpApi, startHttpApi } from "../sources/httpApi.ts";
import { type Moto, startMoto } from "../standIns/moto.ts";
import { startEventSources } from "./eventSources.ts";
import { type Outputs, ofType, one, partitionOf, TYPES } from "./graphParts.ts";
import { provision } from "./provision.ts";

/**
 * The deployed form of Berth, stood up on this machine from the evaluated graph: the AWS side in
 * DynamoDB Local and moto (provision.ts), every function under the Lambda runtime client
 * (lambda/), and Lambda's and API Gateway's event plumbing between them (sources/), each
 * configured from its resource in the graph.
 */
export interface CloudDeployment {
  graph: Graph;
  partition: { accountId: string; region: string };
  /** The front door on this machine (http://127.0.0.1:<port>), and the API's URL as deployed. */
  apiUrl: string;
  deployedApiUrl: string;
  motoEndpoint: string;
  dynamodbEndpoint: string;
  /** What a process playing a deployed part needs to reach AWS by name (network/awsHosts.ts). */
  network: Record<string, string>;
  /** Each function by its entry (api, scheduler, sweeper, events, deploy, console). */
  fn(entry: string): LambdaFunction;
  functions: LambdaFunction[];
  /** The schedule's target invoked now, with the schedule's input: a sweep on demand. */
  tickSchedule(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface DeployOptions {
  /** Shortens how long a failed SQS message stays invisible (sources/sqsSource.ts). */
  sqsRetryAfterSeconds?: number;
}

export async function deployOffline(graph: Graph, options: DeployOptions = {}): Promise<CloudDeployment> {
  const partition = partitionOf(graph);
  const { region, accountId } = partition;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => console.error("stopping the deployment:", e));
  };
  try {
    const moto: Moto = await startMoto(accountId);
    stops.push(moto.stop);
    const dynamodb: DynamoDbLocal = await startDynamoDbLocal();
    stops.push(dynamodb.stop);
    await provision(graph, { moto: moto.endpoint, dynamodb: dynamodb.endpoint }, region);

    const byArn = new Map<string, LambdaFunction>();
    const invoke = (arn: string) => (event: unknown) => {
      const fn = byArn.get(arn);
      if (!fn) throw new Error(`no function ${arn} running`);
      return fn.invoke(event);
    };

    const api = one(graph, TYPES.api);
    const deployedApiUrl = String(api.apiEndpoint);
    const front: HttpApi = await startHttpApi({
      id: ofType(graph, TYPES.api)[0].id,
      domainName: new URL(deployedApiUrl).host,
      accountId,
      routes: ofType(graph, TYPES.route).map(({ outputs }) => {
        const route = outputs as Outputs;
        const integrationId = String(route.target).replace(/^integrations\//, "");
        const integration = graph.resources.find((r) => r.type === TYPES.integration && r.id === integrationId);
        if (integration?.outputs.payloadFormatVersion !== "2.0") throw new Error(`${route.routeKey}: not payload 2.0`);
        return { routeKey: route.routeKey, invoke: invoke(String(integration.outputs.integrationUri)) };
      }),
    });
    stops.push(front.close);

    const network = awsHosts({
      region,
      moto: moto.endpoint,
      dynamodb: dynamodb.endpoint,
      api: [deployedApiUrl, front.url],
    });
    const functions: LambdaFunction[] = [];
    for (const f of graph.functions) {
      const fn = await startLambdaFunction(lambdaConfig(f, partition, network));
      functions.push(fn);
      byArn.set(f.arn, fn);
      stops.push(fn.stop);
    }

    const sources = await startEventSources(graph, {
      moto: moto.endpoint,
      dynamodb: dynamodb.endpoint,
      ...partition,
      invoke,
      sqsRetryAfterSeconds: options.sqsRetryAfterSeconds,
    });
    stops.push(async () => {
      for (const s of sources) await s.stop();
    });

    const schedule = one(graph, TYPES.schedule);
    const target = schedule.target as unknown as { arn: string; input?: string };
    return {
      graph,
      partition,
      apiUrl: front.url,
      deployedApiUrl,
      motoEndpoint: moto.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      network,
      functions,
      fn(entry) {
        const f = graph.functions.find((g) => g.entry === entry);
        const fn = f && byArn.get(f.arn);
        if (!fn) throw new Error(`no ${entry} function`);
        return fn;
      },
      tickSchedule: () => invoke(target.arn)(JSON.parse(target.input ?? "{}")),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A graph function as Lambda would run it: its code, timeout and environment, as deployed. */
function lambdaConfig(
  f: GraphFunction,
  partition: { accountId: string; region: string },
  network: Record<string, string>,
) {
  return {
    name: f.name,
    dir: f.dir,
    timeoutSeconds: f.timeout,
    ...partition,
    environment: { ...lambdaEnvironment(f, f.dir, partition.region), ...network },
  };
}

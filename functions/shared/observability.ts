import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type middy from "@middy/core";

/**
 * One Logger and one Metrics per function (Powertools): structured JSON logs carrying the
 * request id (injectLambdaContext), and CloudWatch metrics in the embedded metric format,
 * flushed after each invocation that recorded any (flushMetrics). Service name and namespace come from
 * POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (infra/functions.ts).
 */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  middlewares: middy.MiddlewareObj[];
}

export function observability(name: string): Observability {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `berth-${name}` });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Berth",
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `berth-${name}`,
  });
  return {
    logger,
    metrics,
    middlewares: [injectLambdaContext(logger) as middy.MiddlewareObj, flushMetrics(metrics)],
  };
}

/**
 * Publishes what the invocation recorded, after it returns or throws. Powertools' logMetrics
 * also does, but warns "No application metrics to publish" on every invocation that recorded
 * none (most API calls): a log line per request, paid for in CloudWatch Logs.
 */
function flushMetrics(metrics: Metrics): middy.MiddlewareObj {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}

/** Reports background failures (a lost nudge) to the function's log instead of the console. */
export const backgroundErrors =
  (logger: Logger) =>
  (error: unknown, what: string): void =>
    logger.error(`${what} failed`, error as Error);

import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ServiceUtilization } from "../../core/model/serviceUtilization.ts";

/**
 * Where each ECS service's utilization goes on AWS. `AWS/` namespaces are reserved for AWS's
 * own services, so not ECS's `AWS/ECS`: `Berth/ECS`, with ECS's own metric names
 * (CPUUtilization, MemoryUtilization, in Percent) and dimensions (ClusterName, ServiceName),
 * so a dashboard or alarm made for ECS finds them by changing only the namespace.
 */
export const SERVICE_METRICS_NAMESPACE = "Berth/ECS";

/**
 * Publishes a service's utilization as measured by its scheduler round, as CloudWatch metrics
 * in the embedded metric format (Powertools Metrics): one log line per round and service, no
 * API call. Powertools adds a `service` dimension to every metric by default; it is cleared, so
 * the metrics carry exactly ECS's two dimensions. A metric whose value is unknown (no task
 * reserves that resource) is left out.
 */
export function publishServiceUtilization(cluster: string, service: string, utilization: ServiceUtilization): void {
  if (utilization.cpu === undefined && utilization.memory === undefined) return;
  const metrics = new Metrics({ namespace: SERVICE_METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.addDimensions({ ClusterName: cluster, ServiceName: service });
  if (utilization.cpu !== undefined) metrics.addMetric("CPUUtilization", MetricUnit.Percent, utilization.cpu);
  if (utilization.memory !== undefined) metrics.addMetric("MemoryUtilization", MetricUnit.Percent, utilization.memory);
  metrics.publishStoredMetrics();
}

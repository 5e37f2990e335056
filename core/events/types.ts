/** ECS's event detail-types, as EventBridge rules written for ECS match them. */
export const DETAIL_TYPES = {
  task: "ECS Task State Change",
  containerInstance: "ECS Container Instance State Change",
  service: "ECS Service Action",
  deployment: "ECS Deployment State Change",
} as const;

/**
 * The events' source. ECS's own is `aws.ecs`, but EventBridge refuses PutEvents from any source
 * under `aws.` (reserved for AWS services), so rules match Berth's events on this source and
 * ECS's detail-types and shapes.
 */
export const ECS_EVENT_SOURCE = "berth.ecs";

/** One event, before it becomes a PutEvents entry (entries.ts). */
export interface EcsEvent {
  detailType: (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];
  /** The ARN of the resource the event is about (ECS's `resources`). */
  resources: string[];
  time: Date;
  /** ECS's detail shape; `version` grows with every change of the resource. */
  detail: Record<string, unknown> & { version: number };
}

/** Where events go: Berth's EventBridge bus on AWS (core/aws/eventBridge.ts), a ring in local mode. */
export interface EventPublisher {
  /** Publishes the entries in order; rejects if some could not be published after retries. */
  publish(entries: PutEventsEntry[]): Promise<void>;
}

/** A PutEvents request entry, as EventBridge's API names its fields. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
  Time: Date;
  EventBusName?: string;
}

import type { AccessKeyRecord, AuditEventRecord } from "../auth/records.ts";
import type {
  AccountSettingsRecord,
  AlarmRecord,
  CapacityProviderRecord,
  ClusterRecord,
  ContainerInstanceRecord,
  IdempotencyRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "../model/records.ts";

/** Every kind of record the store keeps, by the name writes and change events carry. */
export interface RecordKinds {
  cluster: ClusterRecord;
  taskDefinition: TaskDefinitionRecord;
  containerInstance: ContainerInstanceRecord;
  task: TaskRecord;
  idempotency: IdempotencyRecord;
  service: ServiceRecord;
  accessKey: AccessKeyRecord;
  auditEvent: AuditEventRecord;
  accountSettings: AccountSettingsRecord;
  capacityProvider: CapacityProviderRecord;
  alarm: AlarmRecord;
}

export type Kind = keyof RecordKinds;

/**
 * A record's change as the store's change feed reports it: the record before (absent when it
 * was created) and after (absent when it was deleted or expired). DynamoDB's stream carries both
 * images (core/store/dynamo/stream.ts); local mode keeps its own feed (local/changeFeed.ts).
 */
export type RecordChange = {
  [K in Kind]: { kind: K; old?: RecordKinds[K]; new?: RecordKinds[K] };
}[Kind];

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  AlarmRecord,
  ContainerInstanceRecord,
  HeartbeatRecord,
  StoredEventRecord,
  UtilizationSample,
} from "../model/records.ts";
import { isPendingStatus } from "../model/taskState.ts";
import { commitWrites } from "./dynamo/commit.ts";
import { ensureTable } from "./dynamo/ensureTable.ts";
import { listEventsPage } from "./dynamo/eventPages.ts";
import type { Expression } from "./dynamo/expression.ts";
import {
  dataOf,
  isLive,
  keyOf,
  leftOfItem,
  RESOURCE_ATTRIBUTES,
  recordOf,
  resourcesVersionOf,
  ttlOf,
} from "./dynamo/items.ts";
import { keyFits } from "./dynamo/keyLimits.ts";
import { ALL_ACCESS_KEYS, accessKeyKey } from "./dynamo/keys/accessKey.ts";
import { accountSettingsKey } from "./dynamo/keys/accountSettings.ts";
import { ALL_ALARMS, alarmKey, alarmsOfService } from "./dynamo/keys/alarm.ts";
import { ALL_AUDIT_EVENTS } from "./dynamo/keys/auditEvent.ts";
import { ALL_CAPACITY_PROVIDERS, capacityProviderKey } from "./dynamo/keys/capacityProvider.ts";
import { ALL_CLUSTERS, clusterKey } from "./dynamo/keys/cluster.ts";
import { containerInstanceKey, instancesOf, instancesOfEc2Id } from "./dynamo/keys/containerInstance.ts";
import { heartbeatKey, heartbeatsOf } from "./dynamo/keys/heartbeat.ts";
import { idempotencyKey } from "./dynamo/keys/idempotency.ts";
import { LIVE_SERVICES, serviceKey, servicesOf } from "./dynamo/keys/service.ts";
import { storedEventItem } from "./dynamo/keys/storedEvent.ts";
import {
  groupPrefix,
  liveTasksOf,
  taskKey,
  tasksOf,
  tasksOnInstance,
  tasksWithDesiredStatus,
} from "./dynamo/keys/task.ts";
import {
  ALL_TASK_DEFINITIONS,
  familyEnd,
  familyOfSortKey,
  familyPartition,
  familyStart,
  nextSortKey,
  taskDefinitionKey,
  taskDefinitionsWithStatus,
} from "./dynamo/keys/taskDefinition.ts";
import { samplesOf, sampleValue, slotAttribute, utilizationHistoryKey } from "./dynamo/keys/utilizationHistory.ts";
import { type QuerySpec, Reader } from "./dynamo/query.ts";
import { InstanceCache } from "./instanceResources.ts";
import type { Kind, RecordKinds } from "./kinds.ts";
import { allItems } from "./paging.ts";
import type {
  EventQuery,
  FamilyQuery,
  Page,
  PageRequest,
  ResidentCount,
  ServiceQuery,
  Store,
  TaskDefinitionQuery,
  TaskQuery,
  Write,
} from "./port.ts";

export interface DynamoStoreOptions {
  /** A client to use as it is; otherwise one is made from endpoint and region. */
  client?: DynamoDBClient;
  /** DynamoDB Local's URL, say; AWS's regional endpoint when absent. */
  endpoint?: string;
  region?: string;
  /** The SDK's credential chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  table: string;
  /** Create the table (and its TTL) when it does not exist; on by default. */
  createTable?: boolean;
  /** Attempts per request, with the SDK's standard retry mode (backoff, throttling). */
  maxAttempts?: number;
  now?: () => number;
}

/**
 * The Store on one DynamoDB table (see README.md beside this file for the key schema): records
 * are items keyed per kind by keys/, lists are Queries on the table or an index, and commits are
 * conditional writes (see dynamo/commit.ts).
 */
export async function openDynamoStore(options: DynamoStoreOptions): Promise<Store> {
  const client =
    options.client ??
    new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? "us-east-1",
      maxAttempts: options.maxAttempts ?? 3,
      credentials: options.credentials,
    });
  if (options.createTable ?? true) await ensureTable(client, options.table);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // A client made here is destroyed on close; one passed in belongs to the caller.
  return new DynamoStore(doc, options.table, options.now ?? Date.now, options.client ? undefined : client);
}

type Raw = Record<string, unknown>;

class DynamoStore implements Store {
  private readonly reader: Reader;
  private readonly instances = new InstanceCache();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly ownClient: DynamoDBClient | undefined,
  ) {
    this.reader = new Reader(doc, table, now);
  }

  private async get<K extends Kind>(key: { pk: string; sk: string }): Promise<RecordKinds[K] | undefined> {
    const item = await this.getItem(key);
    return item && recordOf<K>(item);
  }

  private async getItem(key: { pk: string; sk: string }): Promise<Raw | undefined> {
    // No item has an empty or oversized key part, and DynamoDB refuses to look one up (a ValidationException).
    if (!keyFits(key)) return undefined;
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return Item && isLive(Item, this.now()) ? Item : undefined;
  }

  private instance(item: Raw): ContainerInstanceRecord {
    const head = {
      version: item.version as number,
      resourcesVersion: resourcesVersionOf(item),
      left: () => leftOfItem(item),
    };
    return this.instances.get(`${item.pk}/${item.sk}`, head, () => dataOf<"containerInstance">(item));
  }

  async getCluster(name: string) {
    return this.get<"cluster">(clusterKey(name));
  }

  async listClusters(page: PageRequest) {
    const spec: QuerySpec = { index: "ordered", partition: ALL_CLUSTERS, range: { after: page.after } };
    return records<"cluster">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async getTaskDefinition(family: string, revision: number) {
    return this.get<"taskDefinition">(taskDefinitionKey(family, revision));
  }

  async lastTaskDefinition(family: string, status?: string) {
    // Whatever its expiry, as in SQLite: the highest revision ever registered decides the next one.
    const spec: QuerySpec = status
      ? {
          index: "byStatus",
          partition: taskDefinitionsWithStatus(status),
          range: { from: familyStart(family), to: familyEnd(family) },
        }
      : { partition: familyPartition(family) };
    const item = await this.reader.first({ ...spec, descending: true, includeExpired: true });
    return item && recordOf<"taskDefinition">(item);
  }

  async listTaskDefinitions(query: TaskDefinitionQuery, page: PageRequest) {
    const desc = query.sort === "DESC";
    const range = query.family ? { from: familyStart(query.family), to: familyEnd(query.family) } : {};
    // The cursor is the last item's `family#revision`; the next page starts at the revision beyond it.
    if (page.after !== undefined) {
      if (desc) range.to = nextSortKey(page.after, -1);
      else range.from = nextSortKey(page.after, 1);
    }
    const spec: QuerySpec = {
      index: query.status ? "byStatus" : "ordered",
      partition: query.status ? taskDefinitionsWithStatus(query.status) : ALL_TASK_DEFINITIONS,
      range,
      descending: desc,
    };
    return records<"taskDefinition">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async listTaskDefinitionFamilies(query: FamilyQuery, page: PageRequest) {
    const families: string[] = [];
    const prefix = query.familyPrefix ?? "";
    // '\u{10ffff}' sorts after any character a family name may hold.
    const to = `${prefix}\u{10ffff}`;
    let from = page.after === undefined ? prefix : familyEnd(page.after);
    // A skip scan: one read per family (two for INACTIVE), never one per revision.
    while (families.length <= page.limit) {
      const family = await this.nextFamily(query.status === "ACTIVE" ? "ACTIVE" : undefined, from, to);
      if (family === undefined) break;
      from = familyEnd(family);
      const active = query.status === "INACTIVE" && (await this.nextFamily("ACTIVE", familyStart(family), from));
      if (!active) families.push(family);
    }
    const items = families.slice(0, page.limit);
    return { items, next: families.length > page.limit ? items[items.length - 1] : undefined };
  }

  /** The family of the first revision (of `status`, if given) whose `family#revision` lies within from..to. */
  private async nextFamily(status: string | undefined, from: string, to: string) {
    const item = await this.reader.first({
      index: status ? "byStatus" : "ordered",
      partition: status ? taskDefinitionsWithStatus(status) : ALL_TASK_DEFINITIONS,
      range: { from, to },
      attributes: ["gsi1sk"],
    });
    return item && familyOfSortKey(item.gsi1sk as string);
  }

  async getContainerInstance(cluster: string, id: string) {
    const item = await this.getItem(containerInstanceKey(cluster, id));
    return item && this.instance(item);
  }

  async findContainerInstanceByEc2Id(cluster: string, ec2InstanceId: string) {
    const item = await this.reader.first({ index: "byInstance", partition: instancesOfEc2Id(cluster, ec2InstanceId) });
    return item && this.instance(item);
  }

  /**
   * Placement reads every instance of a cluster on each launch: a Query of their versions and
   * remaining resources (a few dozen bytes each), then a BatchGetItem of only those whose data
   * is not decoded at that version yet (few change between two launches).
   */
  async listContainerInstances(cluster: string, status?: string) {
    const heads = await this.reader.all({
      partition: instancesOf(cluster),
      filters: status ? (e) => [e.eq("status", status)] : undefined,
      attributes: ["pk", "sk", "version", ...RESOURCE_ATTRIBUTES],
    });
    const cacheKey = (item: Raw) => `${item.pk}/${item.sk}`;
    // Taken from the cache before the BatchGetItem is awaited: meanwhile another read may cache a
    // newer version of one of them (the cache keeps one per instance), which must not make it vanish.
    const cached = new Map<string, ContainerInstanceRecord>();
    for (const head of heads) {
      if (this.instances.has(cacheKey(head), head.version as number)) cached.set(cacheKey(head), this.instance(head));
    }
    const missing = heads.filter((head) => !cached.has(cacheKey(head)));
    const fetched = new Map(
      (await this.reader.getMany(missing.map((h) => keyOf(h as { pk: string; sk: string })))).map((item) => [
        cacheKey(item),
        item,
      ]),
    );
    const records: ContainerInstanceRecord[] = [];
    for (const head of heads) {
      const known = cached.get(cacheKey(head));
      if (known) {
        records.push(known);
        continue;
      }
      const item = fetched.get(cacheKey(head));
      // Gone between the two reads, or its status changed: as if the Query had been a moment later.
      if (item && (!status || item.status === status)) records.push(this.instance(item));
    }
    return records;
  }

  async getTask(cluster: string, id: string) {
    return this.get<"task">(taskKey(cluster, id));
  }

  async getTasks(cluster: string, ids: string[]) {
    const keys = [...new Set(ids)].filter((id) => id !== "").map((id) => taskKey(cluster, id));
    return (await this.reader.getMany(keys)).map((item) => recordOf<"task">(item));
  }

  async listTasks(q: TaskQuery, page: PageRequest) {
    // The narrowest partition the query names; the other criteria filter it.
    const [index, partition] = q.containerInstanceId
      ? (["byInstance", tasksOnInstance(q.cluster, q.containerInstanceId)] as const)
      : q.desiredStatus
        ? (["byStatus", tasksWithDesiredStatus(q.cluster, q.desiredStatus)] as const)
        : ([undefined, tasksOf(q.cluster)] as const);
    const equal = Object.entries({
      desiredStatus: index === "byStatus" ? undefined : q.desiredStatus,
      family: q.family,
      startedBy: q.startedBy,
      group: q.group,
    }).filter(([, value]) => value !== undefined);
    const filters =
      equal.length > 0 || q.notStopped
        ? (e: Expression) => [
            ...equal.map(([attribute, value]) => e.eq(attribute, value)),
            ...(q.notStopped ? [e.ne("lastStatus", "STOPPED")] : []),
          ]
        : undefined;
    const spec: QuerySpec = { index, partition, range: { after: page.after }, filters };
    return records<"task">(await this.reader.page(spec, page, (item) => item.sk as string));
  }

  async countResidentTasks(cluster: string, group?: string) {
    const counts = new Map<string, ResidentCount>();
    for await (const item of this.liveTasks(cluster, group)) {
      if (typeof item.containerInstanceId !== "string") continue;
      const key = JSON.stringify([item.containerInstanceId, item.group, item.lastStatus]);
      const count = counts.get(key);
      if (count) count.count++;
      else
        counts.set(key, {
          containerInstanceId: item.containerInstanceId,
          group: item.group as string | undefined,
          lastStatus: item.lastStatus as string | undefined,
          count: 1,
        });
    }
    return [...counts.values()];
  }

  async countTasks(cluster: string) {
    const counts = { pending: 0, running: 0 };
    for await (const { lastStatus } of this.liveTasks(cluster)) {
      if (lastStatus === "RUNNING") counts.running++;
      else if (isPendingStatus(lastStatus)) counts.pending++;
    }
    return counts;
  }

  /** The cluster's tasks not STOPPED, as the liveTasks index projects them (a few bytes each). */
  private liveTasks(cluster: string, group?: string) {
    return this.reader.items({
      index: "liveTasks",
      partition: liveTasksOf(cluster),
      range: group === undefined ? undefined : { from: groupPrefix(group), to: `${groupPrefix(group)}\u{10ffff}` },
      filters: group === undefined ? undefined : (e) => [e.eq("group", group)],
      attributes: ["containerInstanceId", "group", "lastStatus"],
    });
  }

  async getIdempotency(key: string) {
    return this.get<"idempotency">(idempotencyKey(key));
  }

  async getService(cluster: string, name: string) {
    return this.get<"service">(serviceKey(cluster, name));
  }

  async listServices(query: ServiceQuery, page: PageRequest) {
    const spec: QuerySpec = {
      partition: servicesOf(query.cluster),
      range: { after: page.after },
      filters: query.live ? (e) => [e.ne("status", "INACTIVE")] : undefined,
    };
    return records<"service">(await this.reader.page(spec, page, (item) => item.sk as string));
  }

  async countServices(cluster: string) {
    const counts = { active: 0, draining: 0 };
    for await (const { status } of this.reader.items({ partition: servicesOf(cluster), attributes: ["status"] })) {
      if (status === "ACTIVE") counts.active++;
      else if (status === "DRAINING") counts.draining++;
    }
    return counts;
  }

  async listLiveServices() {
    return (await this.reader.all({ index: "byStatus", partition: LIVE_SERVICES })).map((item) =>
      recordOf<"service">(item),
    );
  }

  async getAccessKey(accessKeyId: string) {
    return this.get<"accessKey">(accessKeyKey(accessKeyId));
  }

  async listAccessKeys(page: PageRequest) {
    const spec: QuerySpec = { index: "ordered", partition: ALL_ACCESS_KEYS, range: { after: page.after } };
    return records<"accessKey">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async getAccountSettings(principalArn: string) {
    return this.get<"accountSettings">(accountSettingsKey(principalArn));
  }

  async getCapacityProvider(name: string) {
    return this.get<"capacityProvider">(capacityProviderKey(name));
  }

  async listCapacityProviders(page: PageRequest) {
    const spec: QuerySpec = { index: "ordered", partition: ALL_CAPACITY_PROVIDERS, range: { after: page.after } };
    return records<"capacityProvider">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async getAlarm(name: string) {
    return this.get<"alarm">(alarmKey(name));
  }

  async listAlarms(page: PageRequest) {
    const spec: QuerySpec = { index: "ordered", partition: ALL_ALARMS, range: { after: page.after } };
    return records<"alarm">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async listServiceAlarms(cluster: string, service: string) {
    // The index names them; each is read again from the table, consistently, since the round
    // commits on the versions it read.
    const named = await this.reader.all({
      index: "byStatus",
      partition: alarmsOfService(cluster, service),
      attributes: ["gsi2sk"],
    });
    const read = await Promise.all(named.map((item) => this.getAlarm(item.gsi2sk as string)));
    return read.filter((r) => r !== undefined && r.cluster === cluster && r.service === service) as AlarmRecord[];
  }

  async listAuditEvents(page: PageRequest) {
    const spec: QuerySpec = {
      index: "ordered",
      partition: ALL_AUDIT_EVENTS,
      range: { before: page.after },
      descending: true,
    };
    return records<"auditEvent">(await this.reader.page(spec, page, (item) => item.gsi1sk as string));
  }

  async putHeartbeat(record: HeartbeatRecord) {
    const { cluster, id, at, utilization, expiresAt } = record;
    // One unconditional PutItem: a beat replaces the last one and never conflicts with anything.
    const { Attributes } = await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...heartbeatKey(cluster, id),
          kind: "heartbeat",
          cluster,
          id,
          at,
          utilization,
          expiresAt,
          ttl: expiresAt === undefined ? undefined : ttlOf(expiresAt),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    return Attributes && heartbeatOf(Attributes);
  }

  async getHeartbeat(cluster: string, id: string) {
    const item = await this.getItem(heartbeatKey(cluster, id));
    return item && heartbeatOf(item);
  }

  async listHeartbeats(cluster: string) {
    return (await this.reader.all({ partition: heartbeatsOf(cluster) })).map(heartbeatOf);
  }

  async putUtilizationSample(cluster: string, id: string, slot: number, sample: UtilizationSample, expiresAt: number) {
    // One unconditional UpdateItem, no read: it sets the slot and creates the item if need be.
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: utilizationHistoryKey(cluster, id),
        UpdateExpression: "SET #slot = :sample, kind = :kind, expiresAt = :expiresAt, #ttl = :ttl",
        ExpressionAttributeNames: { "#slot": slotAttribute(slot), "#ttl": "ttl" },
        ExpressionAttributeValues: {
          ":sample": sampleValue(sample),
          ":kind": "utilizationHistory",
          ":expiresAt": expiresAt,
          ":ttl": ttlOf(expiresAt),
        },
      }),
    );
  }

  async getUtilizationHistory(cluster: string, id: string) {
    const key = utilizationHistoryKey(cluster, id);
    if (!keyFits(key)) return [];
    // Eventually consistent: a chart may miss the latest sample, at half the read's price.
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: key }));
    return Item && isLive(Item, this.now()) ? samplesOf(Item) : [];
  }

  async putEvents(events: StoredEventRecord[]) {
    // BatchWriteItem: 25 puts a request, none conditional; what DynamoDB leaves unprocessed
    // (throttling) is sent again after a pause.
    for (let i = 0; i < events.length; i += BATCH_WRITE_ITEMS) {
      let requests: Record<string, unknown>[] = events
        .slice(i, i + BATCH_WRITE_ITEMS)
        .map((e) => ({ PutRequest: { Item: storedEventItem(e) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } }));
        requests = (out.UnprocessedItems?.[this.table] ?? []) as Record<string, unknown>[];
        if (attempt >= 8 && requests.length > 0) throw new Error("DynamoDB left events unwritten after retries");
      }
    }
  }

  async listEvents(query: EventQuery) {
    // Every cluster's: a partition each (events of a cluster deleted for good are left out).
    const clusters =
      query.cluster !== undefined
        ? [query.cluster]
        : (await allItems((page) => this.listClusters(page))).map((cluster) => cluster.name);
    return listEventsPage(this.reader, clusters, query);
  }

  async commit(writes: Write[]) {
    await commitWrites(this.doc, this.table, writes, this.now());
  }

  async close() {
    this.ownClient?.destroy();
  }
}

const BATCH_WRITE_ITEMS = 25;

function records<K extends Kind>(page: Page<Raw>): Page<RecordKinds[K]> {
  return { items: page.items.map((item) => recordOf<K>(item)), next: page.next };
}

function heartbeatOf(item: Raw): HeartbeatRecord {
  const { cluster, id, at, utilization, expiresAt } = item as unknown as HeartbeatRecord;
  return { cluster, id, at, ...(utilization && { utilization }), ...(expiresAt !== undefined && { expiresAt }) };
}

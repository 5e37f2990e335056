import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest } from "../port.ts";
import { and, Expression } from "./expression.ts";
import { keyFits, queryFits } from "./keyLimits.ts";
import { INDEXES, type IndexName } from "./table.ts";

/**
 * One access pattern as a Query: a partition of the table or of an index, an optional range of
 * its sort key (bounds inclusive, or `after`/`before` exclusive: one of them, as DynamoDB takes
 * a single sort key condition), filters, and an order. Expired items are always filtered out.
 */
export interface QuerySpec {
  index?: IndexName;
  partition: string;
  range?: { from?: string; to?: string; after?: string; before?: string };
  /** Conditions on non-key attributes, written with the request's Expression. */
  filters?: (e: Expression) => string[];
  descending?: boolean;
  /** Only these attributes (an index's projection, say). */
  attributes?: string[];
  /** Expired items too (a family's last revision counts whatever its expiry). */
  includeExpired?: boolean;
}

type Raw = Record<string, unknown>;

/** When filters drop items, a page may take many reads: each asks for this many at least. */
const FILTERED_BATCH = 100;

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_KEYS = 100;

export class Reader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number,
  ) {}

  /** The matching items in order, read `batch` at a time (undefined: as many as fit in 1 MB). */
  async *items(spec: QuerySpec, batch?: number): AsyncGenerator<Raw> {
    const { from, to, after, before } = spec.range ?? {};
    if (!queryFits(spec.partition, [from, to, after, before])) return;
    let start: Raw | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ ...this.params(spec), Limit: batch, ExclusiveStartKey: start }),
      );
      yield* out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * One Query that evaluates at most `limit` items (those its filters drop count): what matched,
   * how many it evaluated, and the last one's key when the partition may hold more.
   */
  async once(spec: QuerySpec, limit: number): Promise<{ items: Raw[]; evaluated: number; last?: Raw }> {
    const { from, to, after, before } = spec.range ?? {};
    if (!queryFits(spec.partition, [from, to, after, before])) return { items: [], evaluated: 0 };
    const out = await this.doc.send(new QueryCommand({ ...this.params(spec), Limit: limit }));
    return { items: out.Items ?? [], evaluated: out.ScannedCount ?? 0, last: out.LastEvaluatedKey };
  }

  async all(spec: QuerySpec): Promise<Raw[]> {
    const items: Raw[] = [];
    for await (const item of this.items(spec)) items.push(item);
    return items;
  }

  async first(spec: QuerySpec): Promise<Raw | undefined> {
    for await (const item of this.items(spec, spec.filters ? FILTERED_BATCH : 1)) return item;
    return undefined;
  }

  /**
   * One page of `limit` items after the cursor, and a cursor to the next when there is more:
   * reads one item beyond the page to know, and keeps reading when filters leave a page short.
   * The cursor is the sort key value of the page's last item (`cursorOf`); the caller turns it
   * into the next page's exclusive range bound.
   */
  async page(spec: QuerySpec, request: PageRequest, cursorOf: (item: Raw) => string): Promise<Page<Raw>> {
    const wanted = request.limit + 1;
    const items: Raw[] = [];
    for await (const item of this.items(spec, spec.filters ? Math.max(wanted, FILTERED_BATCH) : wanted)) {
      items.push(item);
      if (items.length === wanted) break;
    }
    if (items.length < wanted) return { items };
    items.pop();
    return { items, next: cursorOf(items[items.length - 1]) };
  }

  /**
   * The items with these keys (consistent reads, any order; absent and expired ones left out),
   * 100 keys per BatchGetItem, asking again for the keys DynamoDB left unprocessed.
   */
  async getMany(keys: { pk: unknown; sk: unknown }[]): Promise<Raw[]> {
    const items: Raw[] = [];
    keys = keys.filter(keyFits);
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      let request: Record<string, { Keys: Raw[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: keys.slice(i, i + BATCH_GET_KEYS), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(out.Responses?.[this.table] ?? []));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return items.filter((item) => typeof item.expiresAt !== "number" || item.expiresAt > this.now());
  }

  private params(spec: QuerySpec) {
    const e = new Expression();
    const keys = spec.index ? INDEXES[spec.index] : { pk: "pk", sk: "sk" };
    const filters = [...(spec.includeExpired ? [] : [e.live(this.now())]), ...(spec.filters?.(e) ?? [])];
    return {
      TableName: this.table,
      IndexName: spec.index,
      // Reads of the table itself are consistent (an index can only be read eventually consistent).
      ConsistentRead: spec.index === undefined,
      KeyConditionExpression: and([e.eq(keys.pk, spec.partition), ...rangeCondition(e, keys.sk, spec.range)]),
      FilterExpression: filters.length > 0 ? and(filters) : undefined,
      ScanIndexForward: !spec.descending,
      ProjectionExpression: spec.attributes?.map((a) => e.name(a)).join(", "),
      ...e.params(),
    };
  }
}

function rangeCondition(e: Expression, sk: string, range: QuerySpec["range"] = {}): string[] {
  const { to, after, before } = range;
  // DynamoDB takes no empty string in a key condition; every sort key sorts after it anyway.
  const from = range.from || undefined;
  if (after !== undefined) return [`${e.name(sk)} > ${e.value(after)}`];
  if (before !== undefined) return [`${e.name(sk)} < ${e.value(before)}`];
  if (from !== undefined && to !== undefined) return [`${e.name(sk)} BETWEEN ${e.value(from)} AND ${e.value(to)}`];
  if (from !== undefined) return [`${e.name(sk)} >= ${e.value(from)}`];
  if (to !== undefined) return [`${e.name(sk)} <= ${e.value(to)}`];
  return [];
}

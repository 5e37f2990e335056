/**
 * An HTTP proxy in front of DynamoDB Local that counts what the control plane asks of it: round
 * trips per operation, and the capacity units DynamoDB reports for them. It adds
 * `ReturnConsumedCapacity: TOTAL` to each request that takes it (DynamoDB Local checks no
 * signature) and sums the ConsumedCapacity of the answers, as a bill would.
 */
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface DynamoCounts {
  /** Round trips per operation and kind of item (GetItem CLUSTER, Query INSTANCES, TransactWriteItems, ...). */
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export interface DynamoCounter {
  endpoint: string;
  /** What was counted since start (a copy). */
  counts(): DynamoCounts;
  close(): Promise<void>;
}

const TAKES_CAPACITY = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
]);

interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export async function startDynamoCounter(target: string): Promise<DynamoCounter> {
  const to = new URL(target);
  const counts: DynamoCounts = { calls: {}, readUnits: 0, writeUnits: 0 };
  const keepAlive = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
      let body = Buffer.concat(chunks);
      const input = TAKES_CAPACITY.has(operation) ? JSON.parse(body.toString("utf8")) : undefined;
      const call = `${operation}${input ? kindOf(input) : ""}`;
      counts.calls[call] = (counts.calls[call] ?? 0) + 1;
      if (input) body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: "TOTAL" }));
      const { "transfer-encoding": _chunked, ...rest } = req.headers;
      const headers = { ...rest, "content-length": String(body.length) };
      const upstream = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers, agent: keepAlive },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            const text = Buffer.concat(parts);
            count(call, text.toString("utf8"));
            // The body is passed on whole: its length replaces any chunked transfer encoding.
            const { "transfer-encoding": _chunked, ...rest } = answer.headers;
            res.writeHead(answer.statusCode ?? 500, { ...rest, "content-length": String(text.length) });
            res.end(text);
          });
        },
      );
      upstream.on("error", (error) => res.destroy(error));
      upstream.end(body);
    });
  });
  const count = (operation: string, text: string) => {
    if (!TAKES_CAPACITY.has(operation.split(" ")[0])) return;
    let consumed: Consumed | Consumed[] | undefined;
    try {
      consumed = (JSON.parse(text) as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
    } catch {
      return;
    }
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      // Reads report only CapacityUnits; writes too. Which it is follows from the operation.
      const units = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
      if (WRITES.has(operation.split(" ")[0])) counts.writeUnits += units;
      else counts.readUnits += units;
    }
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        keepAlive.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * What a read is of, from its partition key's first part (CLUSTER, TASKS, INSTANCES, ...): a
 * GetItem's key, a Query's key condition value.
 */
function kindOf(input: {
  Key?: { pk?: { S?: string } };
  ExpressionAttributeValues?: Record<string, { S?: string }>;
}): string {
  const pk =
    input.Key?.pk?.S ?? Object.values(input.ExpressionAttributeValues ?? {}).find((v) => v.S?.includes("#"))?.S;
  return pk ? ` ${pk.split("#")[0]}` : "";
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

/** The calls and units of `after − before`, per `n` (RunTask calls), as one line. */
export function perCall(before: DynamoCounts, after: DynamoCounts, n: number): string {
  const calls = Object.entries(after.calls)
    .map(([op, c]) => [op, (c - (before.calls[op] ?? 0)) / n] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = calls.reduce((sum, [, c]) => sum + c, 0);
  return (
    `${total.toFixed(1)} DynamoDB round trips (${calls.map(([op, c]) => `${op} ${c.toFixed(2)}`).join(", ")}), ` +
    `${((after.readUnits - before.readUnits) / n).toFixed(1)} RCU, ${((after.writeUnits - before.writeUnits) / n).toFixed(1)} WCU`
  );
}

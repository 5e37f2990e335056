import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The Lambda Runtime API (2018-06-01), as AWS documents it for custom runtimes and as the
 * Runtime Interface Client speaks it: the runtime long-polls `GET /runtime/invocation/next`
 * for an event, then posts the result to `/invocation/{id}/response` or `/invocation/{id}/error`;
 * a failure before the first `next` is posted to `/runtime/init/error`. No Runtime Interface
 * Emulator is on npm, so this is ours: one server per function instance, one invocation at a time
 * (a Lambda execution environment never runs two).
 */
export const API_VERSION = "2018-06-01";

/** What a failed invocation or init posted: the RIC's formatError() body. */
export interface ErrorBody {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

/** An invocation that failed in the function (`/error`), or at init (`/init/error`), or in the sandbox. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly phase: "init" | "invoke" | "sandbox",
    readonly body: ErrorBody,
  ) {
    super(`${functionName}: ${phase} error ${body.errorType}: ${body.errorMessage}`);
    this.name = "FunctionError";
  }
}

interface Pending {
  requestId: string;
  payload: string;
  deadlineMs: number;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export interface RuntimeApiServer {
  /** `host:port`, what AWS_LAMBDA_RUNTIME_API holds. */
  address: string;
  /** Hands `event` to the runtime's next `next` and resolves with its response. */
  invoke(event: unknown, timeoutMs: number): Promise<unknown>;
  /** Fails what is in flight or queued (the runtime died, or timed out): Lambda's Runtime.ExitError and friends. */
  failAll(error: FunctionError): void;
  /** Called with every init error a runtime posts. */
  onInitError?: (body: ErrorBody) => void;
  /** Called when the runtime waits on `next` with nothing to hand it. */
  onIdle?: () => void;
  close(): Promise<void>;
}

export async function startRuntimeApi(functionName: string, functionArn: string): Promise<RuntimeApiServer> {
  const queue: Pending[] = [];
  let waiting: ServerResponse | undefined;
  let current: Pending | undefined;

  /** Gives the queue's head to the runtime's waiting `next`, if both are there. */
  const dispatch = () => {
    if (!waiting || current || queue.length === 0) return;
    current = queue.shift() as Pending;
    const res = waiting;
    waiting = undefined;
    res.writeHead(200, {
      "content-type": "application/json",
      "lambda-runtime-aws-request-id": current.requestId,
      "lambda-runtime-deadline-ms": String(current.deadlineMs),
      "lambda-runtime-invoked-function-arn": functionArn,
      "lambda-runtime-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)};Sampled=0`,
    });
    res.end(current.payload);
  };

  const settle = (requestId: string, outcome: (p: Pending) => void): boolean => {
    if (current?.requestId !== requestId) return false;
    const done = current;
    current = undefined;
    outcome(done);
    dispatch();
    return true;
  };

  const server = createServer(async (req, res) => {
    const body = await read(req);
    const path = (req.url ?? "").replace(`/${API_VERSION}`, "");
    const accepted = () => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end('{"status":"OK"}');
    };
    const invalid = (message: string) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ errorType: "InvalidRequestID", errorMessage: message }));
    };
    if (req.method === "GET" && path === "/runtime/invocation/next") {
      waiting = res;
      dispatch();
      // The runtime asked for work and none is there: Lambda freezes the environment now.
      if (!current) api.onIdle?.();
      return;
    }
    const match = /^\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === "POST" && match) {
      const requestId = decodeURIComponent(match[1]);
      const ok =
        match[2] === "response"
          ? settle(requestId, (p) => p.resolve(body === "" ? null : JSON.parse(body)))
          : settle(requestId, (p) => p.reject(new FunctionError(functionName, "invoke", errorBody(body, req))));
      return ok ? accepted() : invalid(`No invocation ${requestId} in flight.`);
    }
    if (req.method === "POST" && path === "/runtime/init/error") {
      const error = errorBody(body, req);
      api.onInitError?.(error);
      api.failAll(new FunctionError(functionName, "init", error));
      return accepted();
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errorType: "NotFound", errorMessage: `${req.method} ${req.url}` }));
  });
  // A runtime parked on `next` holds its request open for as long as no event comes.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const api: RuntimeApiServer = {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    invoke(event, timeoutMs) {
      return new Promise((resolve, reject) => {
        queue.push({
          requestId: randomUUID(),
          payload: JSON.stringify(event),
          deadlineMs: Date.now() + timeoutMs,
          resolve,
          reject,
        });
        dispatch();
      });
    },
    failAll(error) {
      const all = [...(current ? [current] : []), ...queue.splice(0)];
      current = undefined;
      for (const p of all) p.reject(error);
    },
    close() {
      waiting?.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function errorBody(body: string, req: IncomingMessage): ErrorBody {
  const type = req.headers["lambda-runtime-function-error-type"];
  try {
    return JSON.parse(body) as ErrorBody;
  } catch {
    return { errorType: String(type ?? "Unknown"), errorMessage: body };
  }
}

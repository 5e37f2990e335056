import type { ActionContext, ActionTable } from "../actions/context.ts";
import { fromEcsJson, toEcsJson } from "../model/json.ts";
import { ConflictError } from "../store/port.ts";
import { asEcsError, type EcsError, serialization, serverError, unknownOperation } from "./errors.ts";
import { type RawRequest, type SecretLookup, verifySigV4 } from "./sigv4.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The actions answered under one X-Amz-Target prefix (`<prefix>.<Operation>`). */
export interface TargetService {
  prefix: string;
  actions: ActionTable;
  /** Checks a decoded body before its action runs; absent when the actions check their own input. */
  validate?: (operation: string, input: unknown) => void;
}

export interface ProtocolDeps {
  /** ECS's actions and Berth's own, each under its prefix. */
  services: TargetService[];
  context: ActionContext;
  lookupSecret: SecretLookup;
  /** Called with every failure that is the server's fault, to be logged. */
  onServerError?: (error: unknown, operation: string | undefined) => void;
}

/**
 * The ECS JSON 1.1 protocol: authenticate, find the service and operation in X-Amz-Target,
 * decode and check the body, run the action, encode the answer or an ECS-shaped error.
 */
export async function handleEcsRequest(req: RawRequest, deps: ProtocolDeps, requestId: string): Promise<RawResponse> {
  let operation: string | undefined;
  try {
    await verifySigV4(req, deps.lookupSecret, deps.context.now());
    const target = req.headers["x-amz-target"] ?? "";
    const dot = target.lastIndexOf(".");
    const service = deps.services.find((s) => s.prefix === target.slice(0, dot));
    operation = target.slice(dot + 1);
    if (!service || dot < 0 || !Object.hasOwn(service.actions, operation)) {
      throw unknownOperation(`Operation ${target || "(none)"} is not supported by this server.`);
    }
    const input = decodeBody(req.body);
    service.validate?.(operation, input);
    const output = await service.actions[operation](input, deps.context);
    return respond(200, output ?? {}, requestId);
  } catch (error) {
    const ecsError = error instanceof ConflictError ? retryLater() : asEcsError(error);
    if (ecsError.status >= 500) deps.onServerError?.(error, operation);
    return respondError(ecsError, requestId);
  }
}

/** Lost optimistic races, after the action's own retries: a 500 the SDKs retry with backoff. */
const retryLater = () => serverError("The resources changed while the request was being processed; retry the request.");

function decodeBody(body: string): unknown {
  if (body.trim() === "") return {};
  try {
    return fromEcsJson(body);
  } catch {
    throw serialization("Start of structure or map found where not expected.");
  }
}

export const respond = (status: number, body: unknown, requestId: string): RawResponse => ({
  status,
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-requestid": requestId,
    date: new Date().toUTCString(),
  },
  body: toEcsJson(body),
});

export const respondError = (error: EcsError, requestId: string) =>
  respond(error.status, { ...error.fields, __type: error.name, message: error.message }, requestId);

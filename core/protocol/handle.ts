import type { AccessControl, AuditedCall } from "../auth/accessControl.ts";
import { withAuditInCommit } from "../auth/auditInCommit.ts";
import type { Caller } from "../auth/authorize.ts";
import type { AuditEventRecord } from "../auth/records.ts";
import { ThrottlingError } from "../auth/throttle.ts";
import { fromEcsJson, toEcsJson } from "../model/json.ts";
import type { ActionContext, ActionTable } from "../operations/context.ts";
import { ConflictError } from "../store/port.ts";
import { asEcsError, type EcsError, serialization, serverError, unknownOperation } from "./errors.ts";
import { checkBodySize, checkJsonDepth } from "./limits.ts";
import type { Model } from "./model.ts";
import { isQueryRequest, queryAction, queryError, queryInput, queryResponse } from "./query.ts";
import { type RawRequest, type SecretLookup, verifySigV4 } from "./sigv4.ts";
import { isObject, wrongType } from "./validate.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The actions answered under one X-Amz-Target prefix (`<prefix>.<Operation>`). */
export interface TargetApi {
  prefix: string;
  actions: ActionTable;
  /** Checks a decoded body before its action runs; absent when the actions check their own input. */
  validate?: (operation: string, input: unknown) => void;
  /** The API's name in policies' action patterns (`ecs` for `ecs:RunTask`); the prefix when absent. */
  policyName?: string;
  /** Its JSON protocol's content type (JSON 1.1 when absent). */
  contentType?: string;
  /** Headers its errors carry besides the body (CloudWatch's query-compatible error code). */
  errorHeaders?: (error: EcsError) => Record<string, string>;
  /** The query protocol too, for calls whose form body names this `Version` (core/protocol/query.ts). */
  query?: { version: string; xmlns: string; model: Model; errorCode: (error: EcsError) => string };
}

export interface ProtocolDeps {
  /** ECS's actions and Berth's own, each under its prefix. */
  apis: TargetApi[];
  context: ActionContext;
  /** Verifies signatures when there is no `access` (a fixed key, in tests of the protocol alone). */
  lookupSecret?: SecretLookup;
  /** Keys, throttling, authorization and audit (core/auth/); when present, its keys verify signatures. */
  access?: AccessControl;
  /** Called with every failure that is the server's fault, to be logged. */
  onServerError?: (error: unknown, operation: string | undefined) => void;
}

/**
 * The ECS JSON 1.1 protocol: authenticate, find the API and operation in X-Amz-Target,
 * decode and check the body, run the action, encode the answer or an ECS-shaped error.
 */
export async function handleEcsRequest(req: RawRequest, deps: ProtocolDeps, requestId: string): Promise<RawResponse> {
  let operation: string | undefined;
  let api: TargetApi | undefined;
  let query: ReturnType<typeof queryAction> | undefined;
  let caller: Caller | undefined;
  let audited: AuditedCall | undefined;
  let inCommit: ReturnType<typeof withAuditInCommit> | undefined;
  try {
    checkBodySize(req.body);
    const { access } = deps;
    const lookupSecret: SecretLookup = access
      ? async (id) => {
          const key = await access.key(id);
          caller = key && { accessKeyId: key.accessKeyId, policy: key.policy };
          return key?.secretAccessKey;
        }
      : (deps.lookupSecret ?? (async () => undefined));
    await verifySigV4(req, lookupSecret, deps.context.now(), deps.context.partition.region);
    query = isQueryRequest(req.headers["content-type"]) ? queryAction(req.body) : undefined;
    const target = query ? `${query.action} (${query.version})` : (req.headers["x-amz-target"] ?? "");
    const dot = query ? 0 : target.lastIndexOf(".");
    api = query
      ? deps.apis.find((s) => s.query?.version === query?.version)
      : deps.apis.find((s) => s.prefix === target.slice(0, dot));
    operation = query ? query.action : target.slice(dot + 1);
    if (!api || dot < 0 || !Object.hasOwn(api.actions, operation)) {
      throw unknownOperation(`Operation ${target || "(none)"} is not supported by this server.`);
    }
    const action = `${api.policyName ?? api.prefix}:${operation}`;
    if (access && caller) {
      try {
        access.throttle(caller, operation);
      } catch (error) {
        if (error instanceof ThrottlingError && error.startsEpisode) {
          const decodable = () => inputOf(req.body, api as TargetApi, operation as string, query);
          audited = {
            requestId,
            caller,
            operation,
            action,
            resources: resourcesIfDecodable(access, action, decodable),
          };
        }
        throw error;
      }
    }
    const input = inputOf(req.body, api, operation, query);
    // Authorization before validation: a caller learns nothing of an action it may not call.
    if (access && caller) {
      audited = { requestId, caller, operation, action, resources: access.resources(action, input) };
      await access.authorize(caller, action, input, audited.resources);
    }
    api.validate?.(operation, input);
    const call = audited;
    inCommit = call && access && withAuditInCommit(deps.context.store, () => access.auditRecord(call, "Success"));
    let output: unknown;
    try {
      output = await api.actions[operation](input, {
        ...deps.context,
        caller,
        store: inCommit?.store ?? deps.context.store,
      });
    } finally {
      inCommit?.close();
    }
    if (!inCommit?.written()) await audit(deps, audited, "Success");
    if (query && api.query)
      return respondXml(200, queryResponse(api.query.model, operation, output, requestId, api.query.xmlns), requestId);
    return respond(200, output ?? {}, requestId, api.contentType);
  } catch (error) {
    const ecsError = error instanceof ConflictError ? retryLater() : asEcsError(error);
    if (ecsError.status >= 500) deps.onServerError?.(error, operation);
    await audit(deps, audited, ecsError.name, inCommit?.written());
    if (query && api?.query) {
      const code = api.query.errorCode(ecsError);
      return respondXml(
        ecsError.status,
        queryError(code, ecsError.message, ecsError.status < 500, requestId),
        requestId,
      );
    }
    return respondError(ecsError, requestId, api);
  }
}

/**
 * The audit event of a call that got as far as authorization, unless its action committed it
 * (`replaces`: it did, and then failed); a failure to write it is logged, not answered.
 */
async function audit(deps: ProtocolDeps, call: AuditedCall | undefined, outcome: string, replaces?: AuditEventRecord) {
  if (!call || !deps.access) return;
  await deps.access
    .audit(call, outcome, replaces)
    .catch((error) => deps.onServerError?.(error, `audit of ${call.action}`));
}

/** A throttled call's resources for its audit event: none when its body would not decode anyway. */
function resourcesIfDecodable(access: AccessControl, action: string, decode: () => unknown): string[] {
  try {
    return access.resources(action, decode());
  } catch {
    return [];
  }
}

/** Lost optimistic races, after the action's own retries: a 500 the SDKs retry with backoff. */
const retryLater = () => serverError("The resources changed while the request was being processed; retry the request.");

/** The request's input: its JSON body, or, in the query protocol, its parameters shaped by the API's model. */
function inputOf(body: string, api: TargetApi, operation: string, query?: ReturnType<typeof queryAction>): unknown {
  return query && api.query ? queryInput(api.query.model, operation, query.params) : decodeBody(body);
}

function decodeBody(body: string): unknown {
  if (body.trim() === "") return {};
  checkJsonDepth(body);
  let input: unknown;
  try {
    input = fromEcsJson(body);
  } catch {
    throw serialization("Start of structure or map found where not expected.");
  }
  // Every operation's input is a structure: `null`, `[]` or `5` is no request at all.
  if (!isObject(input)) throw wrongType.structure("request");
  return withoutNulls(input);
}

/** `null` counts as absent, as on AWS: dropped here once, so no action meets one. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (!isObject(value) || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) copy[k] = withoutNulls(v);
  return copy;
}

export const respond = (
  status: number,
  body: unknown,
  requestId: string,
  contentType = "application/x-amz-json-1.1",
): RawResponse => ({
  status,
  headers: {
    "content-type": contentType,
    "x-amzn-requestid": requestId,
    date: new Date().toUTCString(),
  },
  body: toEcsJson(body),
});

const respondXml = (status: number, body: string, requestId: string): RawResponse => ({
  status,
  headers: { "content-type": "text/xml", "x-amzn-requestid": requestId, date: new Date().toUTCString() },
  body,
});

export function respondError(error: EcsError, requestId: string, api?: TargetApi): RawResponse {
  const response = respond(
    error.status,
    { ...error.fields, __type: error.name, message: error.message },
    requestId,
    api?.contentType,
  );
  return { ...response, headers: { ...response.headers, ...api?.errorHeaders?.(error) } };
}

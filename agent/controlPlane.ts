import { Sha256 } from "@aws-crypto/sha256-js";
import { ECSClient } from "@aws-sdk/client-ecs";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AgentConfig } from "./config.ts";

/** Berth's own actions (Heartbeat, …): the ECS protocol and signing under their own target prefix. */
export const BERTH_TARGET_PREFIX = "Berth_20261124";

/** A JSON 1.1 API on the control plane's endpoint: its target prefix and SigV4 signing name. */
interface JsonApi {
  targetPrefix: string;
  signingService: string;
}

const BERTH: JsonApi = { targetPrefix: BERTH_TARGET_PREFIX, signingService: "ecs" };
/** Application Auto Scaling, which Berth answers for ECS services on the same endpoint. */
const AUTO_SCALING: JsonApi = { targetPrefix: "AnyScaleFrontendService", signingService: "application-autoscaling" };

/** An error answered by the control plane, as the SDK names its errors (`name` is ECS's `__type`). */
export class ControlPlaneError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ControlPlane {
  ecs: ECSClient;
  /**
   * How far the control plane's clock is from this host's (ms, positive when it is ahead), as
   * learned from a signature refused for its time; 0 until one is.
   */
  clockOffsetMs?(): number;
  /** Calls a Berth action; throws ControlPlaneError with the answered `__type` on failure. */
  berth<T>(action: string, input: unknown, signal?: AbortSignal): Promise<T>;
  /**
   * Calls an Application Auto Scaling action (`DescribeScalableTargets`, …) with the same key,
   * without a second SDK client (the console's bundle stays small); errors as `berth`'s.
   */
  autoScaling<T>(action: string, input: unknown, signal?: AbortSignal): Promise<T>;
  destroy(): void;
}

/**
 * The agent's clients for the control plane at BERTH_ENDPOINT: the ECS SDK for the ECS actions,
 * and a small signed JSON client for Berth's own, signed exactly as the SDK signs (service `ecs`),
 * so one key and one verifier serve both; the same small client, under its own target prefix and
 * signing name, for Application Auto Scaling's (the console reads a service's scaling with it).
 */
export function createControlPlane(config: Pick<AgentConfig, "endpoint" | "region" | "credentials">): ControlPlane {
  const ecs = new ECSClient({ endpoint: config.endpoint, region: config.region, credentials: config.credentials });
  const url = new URL(config.endpoint);
  // One clock offset for both clients: the SDK's own, which it corrects when a signature is
  // refused for its time (as AWS refuses one more than 15 min off), and which Berth's actions use too.
  const offset = () => ecs.config.systemClockOffset ?? 0;
  const send = async (api: JsonApi, action: string, body: string, signal?: AbortSignal) => {
    const credentials = config.credentials ?? (await ecs.config.credentials());
    const signer = new SignatureV4({ service: api.signingService, region: config.region, credentials, sha256: Sha256 });
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      method: "POST",
      path: url.pathname || "/",
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${api.targetPrefix}.${action}`,
      },
      body,
    });
    const signed = await signer.sign(request, { signingDate: new Date(Date.now() + offset()) });
    // Sent by the ECS client's own HTTP handler and read with its stream collector (node:http on
    // a host, fetch in the console's browser), not fetch: on Node, fetch loads undici beside the
    // SDK's node:http, ≈ 2 MiB more for an idle agent.
    const { response } = await ecs.config.requestHandler.handle(signed as HttpRequest, {
      abortSignal: signal ?? AbortSignal.timeout(10_000),
    });
    const text = response.body ? ecs.config.utf8Encoder(await ecs.config.streamCollector(response.body)) : "";
    return { response, parsed: text ? safeJson(text) : {}, text };
  };
  const call = async <T>(api: JsonApi, action: string, input: unknown, signal?: AbortSignal): Promise<T> => {
    const body = JSON.stringify(input);
    let { response, parsed, text } = await send(api, action, body, signal);
    // Refused for its time: learn the control plane's from its Date header and sign again, once.
    const serverTime = Date.parse(response.headers.date ?? "");
    if (isClockSkewRefusal(parsed) && !Number.isNaN(serverTime)) {
      ecs.config.systemClockOffset = serverTime - Date.now();
      ({ response, parsed, text } = await send(api, action, body, signal));
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) return parsed as T;
    const type = String(parsed.__type ?? `HTTP${status}`).replace(/^.*#/, "");
    throw new ControlPlaneError(type, String(parsed.message ?? parsed.Message ?? text), status);
  };
  return {
    ecs,
    clockOffsetMs: offset,
    berth: (action, input, signal) => call(BERTH, action, input, signal),
    autoScaling: (action, input, signal) => call(AUTO_SCALING, action, input, signal),
    destroy: () => ecs.destroy(),
  };
}

/** A signature refused because its time is more than 15 min from the control plane's. */
const isClockSkewRefusal = (parsed: Record<string, unknown>) =>
  String(parsed.__type ?? "").endsWith("InvalidSignatureException") &&
  /^Signature (expired|not yet current)/.test(String(parsed.message ?? parsed.Message ?? ""));

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/**
 * Whether a failed call is worth retrying later: the control plane unreachable, throttling, or
 * its own fault (5xx). A 4xx answer (the task is unknown, the request invalid) stays wrong.
 */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; status?: number; $fault?: string };
  const status = e.$metadata?.httpStatusCode ?? e.status;
  if (status !== undefined) return status >= 500 || status === 429 || /Throttl/.test(e.name ?? "");
  // No HTTP answer at all: refused, reset, timed out, DNS.
  return true;
}

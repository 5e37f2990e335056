import type { ECSClient } from "@aws-sdk/client-ecs";
// The same signed client the agent and `berth keys` use: the SDK for ECS's actions, SigV4 over
// fetch for Berth's own and Application Auto Scaling's. Both run in a browser as they do in Node.
import { createControlPlane } from "../../../agent/controlPlane.ts";
import type { AccessPolicy, GetCallerIdentityResponse } from "../../../core/actions/berth/shapes.ts";
import type { Session } from "./session.ts";

export interface Api {
  ecs: ECSClient;
  berth<T>(action: string, input: unknown): Promise<T>;
  /** Application Auto Scaling's actions, which Berth answers for ECS services. */
  autoScaling<T>(action: string, input: unknown): Promise<T>;
  accessKeyId: string;
  policy: AccessPolicy;
  close(): void;
}

/** Connects with a session's key and asks who it is (which also proves the key works). */
export async function connect(session: Session): Promise<Api> {
  const cp = createControlPlane({
    endpoint: session.endpoint,
    region: session.region,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
  });
  try {
    const identity = await cp.berth<GetCallerIdentityResponse>("GetCallerIdentity", {});
    return {
      ecs: cp.ecs,
      berth: (action, input) => cp.berth(action, input),
      autoScaling: (action, input) => cp.autoScaling(action, input),
      accessKeyId: identity.accessKeyId,
      policy: identity.policy,
      close: () => cp.destroy(),
    };
  } catch (error) {
    cp.destroy();
    throw error;
  }
}

/** An error as ECS words it: its type and message (`ClusterNotFoundException: Cluster not found.`). */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e?.name === "TypeError") return `Berth did not answer (${e.message}).`;
  return e?.name && e.name !== "Error" ? `${e.name}: ${e.message ?? ""}` : String(e?.message ?? error);
}

import { accessKeyRecord, generateAccessKey } from "../../auth/accessKeys.ts";
import type { ActionContext } from "../../operations/context.ts";
import { activeCluster, findContainerInstance } from "../../operations/lookup.ts";
import { clientException, invalidParameter } from "../../protocol/errors.ts";
import { ConflictError, put, type Write } from "../../store/port.ts";
import { keyEncryptionKey } from "./accessKeys.ts";
import { Members } from "./input.ts";
import type { GetAgentCredentialsResponse } from "./shapes.ts";

/**
 * The second step of an agent joining a cluster: right after RegisterContainerInstance, signed
 * with the cluster's bootstrap key, the agent fetches credentials of its own, which may do that
 * container instance's agent work and nothing else (core/auth/agentScope.ts). They are issued
 * once per container instance: a claim record is committed with the key, so a second caller
 * holding the bootstrap key cannot take over an instance that already has its credentials.
 */
export async function GetAgentCredentials(input: unknown, ctx: ActionContext): Promise<GetAgentCredentialsResponse> {
  const members = Members.of(input);
  const cluster = (await activeCluster(ctx, members.string("cluster"))).name;
  const ref = members.requiredString("containerInstance");
  const instance = await findContainerInstance(ctx, cluster, ref);
  if (!instance || instance.instance.status === "INACTIVE") {
    throw invalidParameter(`The referenced container instance ${ref} is not registered in this cluster.`);
  }
  const key = generateAccessKey();
  const policy = { kind: "instance" as const, cluster, containerInstanceId: instance.id };
  const record = accessKeyRecord(
    await keyEncryptionKey(ctx),
    key,
    policy,
    ctx.now(),
    instance.instance.containerInstanceArn,
  );
  const claim = { key: claimKey(cluster, instance.id), request: key.accessKeyId, response: {} };
  try {
    await ctx.store.commit([put("idempotency", claim), put("accessKey", record)]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    throw clientException(
      `Credentials for ${instance.instance.containerInstanceArn} were issued already; register as a new container instance.`,
    );
  }
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}

/** The record that an instance's credentials were issued, naming their key. */
const claimKey = (cluster: string, instanceId: string) => `agent-credentials/${cluster}/${instanceId}`;

/**
 * Deregistration's part: the writes that expire the instance's own key record now (it stopped
 * working already, since instance keys work only while their instance is registered), so no key
 * of a gone instance lingers in the store or in ListAccessKeys, and its claim record. None when it
 * never had credentials.
 */
export async function expireInstanceCredentials(
  ctx: ActionContext,
  cluster: string,
  instanceId: string,
): Promise<Write[]> {
  const claim = await ctx.store.getIdempotency(claimKey(cluster, instanceId));
  const record = claim && (await ctx.store.getAccessKey(claim.request));
  if (!claim || record?.policy.kind !== "instance" || record.policy.containerInstanceId !== instanceId) return [];
  // The claim goes too: a deregistered instance is issued nothing again anyway (GetAgentCredentials refuses it).
  const now = ctx.now().getTime();
  return [put("accessKey", { ...record, expiresAt: now }), put("idempotency", { ...claim, expiresAt: now })];
}

import { accessKeyRecord, generateAccessKey } from "../../auth/accessKeys.ts";
import type { AccessKeyRecord } from "../../auth/records.ts";
import type { ActionContext } from "../../operations/context.ts";
import { clientException, invalidParameter } from "../../protocol/errors.ts";
import { put } from "../../store/port.ts";
import { nextToken, pageRequest } from "../pagination.ts";
import { Members } from "./input.ts";
import { policyOf } from "./policyInput.ts";
import type { AccessKeySummary, CreateAccessKeyResponse, ListAccessKeysResponse } from "./shapes.ts";

/**
 * Access key management (admin keys only; core/auth/policy.ts). A key's secret is answered once,
 * by CreateAccessKey, and kept only sealed: no later call shows it again.
 */
export async function CreateAccessKey(input: unknown, ctx: ActionContext): Promise<CreateAccessKeyResponse> {
  const members = Members.of(input);
  const policyMembers = members.structure("policy");
  if (!policyMembers) throw invalidParameter('policy is required, e.g. {"kind":"read-only"}.');
  const policy = policyOf(policyMembers);
  const description = members.string("description");
  if (description !== undefined && description.length > 256) {
    throw invalidParameter("description must be at most 256 characters.");
  }
  const key = generateAccessKey();
  const record = accessKeyRecord(await keyEncryptionKey(ctx), key, policy, ctx.now(), description);
  await ctx.store.commit([put("accessKey", record)]);
  return { accessKey: { ...summary({ ...record, version: 0 }), secretAccessKey: key.secretAccessKey } };
}

export async function ListAccessKeys(input: unknown, ctx: ActionContext): Promise<ListAccessKeysResponse> {
  const members = Members.of(input);
  const page = await ctx.store.listAccessKeys(
    pageRequest({ maxResults: members.integer("maxResults"), nextToken: members.string("nextToken") }),
  );
  return { accessKeys: page.items.map(summary), nextToken: nextToken(page) };
}

/** Deleting expires the record now: every path reads keys from the store, so the next call fails. */
export async function DeleteAccessKey(input: unknown, ctx: ActionContext): Promise<Record<string, never>> {
  const accessKeyId = Members.of(input).requiredString("accessKeyId");
  const record = await ctx.store.getAccessKey(accessKeyId);
  if (!record) throw clientException(`The access key ${accessKeyId} does not exist.`);
  await ctx.store.commit([put("accessKey", { ...record, expiresAt: ctx.now().getTime() })]);
  return {};
}

export async function keyEncryptionKey(ctx: ActionContext): Promise<Buffer> {
  if (!ctx.keyEncryptionKey) throw clientException("This control plane has no key encryption key configured.");
  return ctx.keyEncryptionKey.get();
}

const summary = (r: AccessKeyRecord): AccessKeySummary => ({
  accessKeyId: r.accessKeyId,
  policy: r.policy,
  description: r.description,
  createdAt: r.createdAtMs / 1000,
});

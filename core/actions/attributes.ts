import type {
  Attribute,
  DeleteAttributesRequest,
  DeleteAttributesResponse,
  ListAttributesRequest,
  ListAttributesResponse,
  PutAttributesRequest,
  PutAttributesResponse,
} from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord } from "../model/records.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster, idInCluster } from "../operations/lookup.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { EcsError, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { put } from "../store/port.ts";
import { nextToken, pageInMemory, pageRequest } from "./pagination.ts";

/**
 * Attributes on container instances (the only target type ECS has): PutAttributes,
 * DeleteAttributes, ListAttributes. They live in the instance record's `attributes`, beside the
 * built-in ones ECS sets at registration (`ecs.*`) and the agent's capabilities
 * (`com.amazonaws.ecs.capability.*`, `ecs.capability.*`), which is where placement reads them.
 */

/** ECS: up to 10 custom attributes per resource, and up to 10 attributes in one call. */
export const MAX_CUSTOM_ATTRIBUTES = 10;

const NAME = /^[a-zA-Z0-9_\-/\\.]{1,128}$/;
const VALUE = /^[a-zA-Z0-9_\-.@/\\: ]{1,128}$/;

/** Built-in and agent attributes are not custom, and do not count against the limit. */
export const isCustomAttribute = (name: string | undefined) =>
  !!name && !name.startsWith("ecs.") && !name.startsWith("com.amazonaws.ecs.");

/** ECS's character rules for an attribute's name and value (the model checks neither). */
export function checkAttribute(attribute: Attribute): void {
  const { name, value } = attribute;
  if (!name || !NAME.test(name)) {
    throw invalidParameter(
      `Invalid attribute name '${name ?? ""}': it must contain between 1 and 128 characters: letters (uppercase and lowercase), numbers, hyphens, underscores, forward slashes, back slashes, or periods.`,
    );
  }
  if (value === undefined || value === null) return;
  if (!VALUE.test(value) || value.startsWith(" ") || value.endsWith(" ")) {
    throw invalidParameter(
      `Invalid value for attribute '${name}': it must contain between 1 and 128 characters: letters (uppercase and lowercase), numbers, hyphens, underscores, periods, at signs (@), forward slashes, back slashes, colons, or spaces, and can't start or end with a space.`,
    );
  }
}

/** Attributes after a put: same names replaced (as ECS does), new names appended. */
export function mergeAttributes(current: Attribute[] = [], added: Attribute[]): Attribute[] {
  const merged = current.map((a) => ({ name: a.name, value: a.value }));
  for (const a of added) {
    const entry = { name: a.name, value: a.value ?? undefined };
    const at = merged.findIndex((m) => m.name === a.name);
    if (at >= 0) merged[at] = entry;
    else merged.push(entry);
  }
  return merged;
}

export const attributeLimitExceeded = () =>
  new EcsError(
    "AttributeLimitExceededException",
    `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes for each resource.`,
  );

export async function PutAttributes(input: PutAttributesRequest, ctx: ActionContext): Promise<PutAttributesResponse> {
  const attributes = checkBatch(input.attributes);
  for (const attribute of attributes) checkAttribute(attribute);
  await changeAttributes(ctx, input.cluster, attributes, (current, attribute) => mergeAttributes(current, [attribute]));
  return { attributes };
}

export async function DeleteAttributes(
  input: DeleteAttributesRequest,
  ctx: ActionContext,
): Promise<DeleteAttributesResponse> {
  const attributes = checkBatch(input.attributes);
  // A value, when given, must match too; ECS asks for the name only.
  await changeAttributes(ctx, input.cluster, attributes, (current, attribute) =>
    current.filter((a) => a.name !== attribute.name || (attribute.value != null && a.value !== attribute.value)),
  );
  return { attributes };
}

/**
 * Applies `change` for each attribute to its target instance's attributes (several attributes may
 * name one instance), checks the custom-attribute limit, and commits the instances that changed,
 * all or none, re-reading them when placement moved one on meanwhile.
 */
async function changeAttributes(
  ctx: ActionContext,
  clusterRef: string | undefined,
  attributes: Attribute[],
  change: (current: Attribute[], attribute: Attribute) => Attribute[],
) {
  const cluster = await activeCluster(ctx, clusterRef);
  const targets = attributes.map((a) => targetId(a, cluster.name) as string);
  await retryOnConflict(async () => {
    const records = await loadTargets(ctx, cluster.name, attributes, targets);
    const changed = new Map<string, ContainerInstanceRecord>();
    attributes.forEach((attribute, i) => {
      const record = changed.get(targets[i]) ?? (records.get(targets[i]) as ContainerInstanceRecord);
      const current = record.instance.attributes ?? [];
      const next = change(current, attribute);
      if (JSON.stringify(next) !== JSON.stringify(current)) {
        changed.set(record.id, { ...record, instance: { ...record.instance, attributes: next } });
      }
    });
    for (const record of changed.values()) {
      if ((record.instance.attributes ?? []).filter((a) => isCustomAttribute(a.name)).length > MAX_CUSTOM_ATTRIBUTES) {
        throw attributeLimitExceeded();
      }
    }
    if (changed.size > 0) {
      await ctx.store.commit([...changed.values()].map((r) => put("containerInstance", bumped(r))));
    }
  });
}

export async function ListAttributes(
  input: ListAttributesRequest,
  ctx: ActionContext,
): Promise<ListAttributesResponse> {
  if (input.attributeValue != null && input.attributeName == null) {
    throw invalidParameter("attributeName must be specified to filter by attributeValue.");
  }
  const page = pageRequest(input);
  const cluster = await activeCluster(ctx, input.cluster);
  const instances = (await ctx.store.listContainerInstances(cluster.name)).filter(
    (r) => r.instance.status !== "INACTIVE",
  );
  const listed = instances.flatMap((record) =>
    (record.instance.attributes ?? [])
      .filter((a) => input.attributeName == null || a.name === input.attributeName)
      .filter((a) => input.attributeValue == null || a.value === input.attributeValue)
      .map((a) => ({ id: record.id, attribute: asTargeted(a, record) })),
  );
  const result = pageInMemory(listed, (item) => `${item.id}:${item.attribute.name}`, page);
  return { attributes: result.items.map((item) => item.attribute), nextToken: nextToken(result) };
}

function checkBatch(attributes: Attribute[] | undefined): Attribute[] {
  if (!attributes?.length) throw invalidParameter("attributes can not be empty.");
  if (attributes.length > MAX_REFERENCES.PutAttributes) {
    throw invalidParameter(`You can specify up to ${MAX_REFERENCES.PutAttributes} attributes in a single call.`);
  }
  return attributes;
}

/**
 * The container instance id an attribute targets: its targetId as a full ARN, or as a short id
 * together with targetType (which ECS requires with the short form). An ARN of another cluster
 * names no target of this one.
 */
function targetId(attribute: Attribute, cluster: string): string | undefined {
  const ref = attribute.targetId;
  if (!ref) throw invalidParameter(`targetId must be specified for attribute '${attribute.name}'.`);
  if (!ref.startsWith("arn:") && !attribute.targetType) {
    throw invalidParameter(`targetType must be specified when targetId '${ref}' is not a full ARN.`);
  }
  return idInCluster(ref, cluster, "container-instance");
}

async function loadTargets(
  ctx: ActionContext,
  cluster: string,
  attributes: Attribute[],
  ids: (string | undefined)[],
): Promise<Map<string, ContainerInstanceRecord>> {
  const records = new Map<string, ContainerInstanceRecord>();
  for (const [i, id] of ids.entries()) {
    if (id !== undefined && records.has(id)) continue;
    const record = id === undefined ? undefined : await ctx.store.getContainerInstance(cluster, id);
    if (!record || record.instance.status === "INACTIVE") throw targetNotFound(attributes[i].targetId as string);
    records.set(record.id, record);
  }
  return records;
}

const targetNotFound = (ref: string) =>
  new EcsError(
    "TargetNotFoundException",
    `Could not find ${ref}. The specified target wasn't found in this cluster; you can view your available container instances with ListContainerInstances.`,
  );

/** A change to an instance that its event stream would show moves its version counter on. */
const bumped = (record: ContainerInstanceRecord): ContainerInstanceRecord => ({
  ...record,
  instance: { ...record.instance, version: (record.instance.version ?? 0) + 1 },
});

const asTargeted = (attribute: Attribute, record: ContainerInstanceRecord): Attribute => ({
  name: attribute.name,
  value: attribute.value,
  targetType: "container-instance",
  targetId: record.instance.containerInstanceArn,
});

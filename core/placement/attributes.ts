import type { Attribute } from "@aws-sdk/client-ecs";

/**
 * An instance's attribute by name (the first of that name, as `find` gives). Indexed once per
 * frozen list (the stores share their decoded records, frozen, between launches): placement
 * looks up an attribute of every instance on each launch, and a registered instance carries
 * dozens of them.
 */
export function attributeNamed(attributes: readonly Attribute[] | undefined, name: string): Attribute | undefined {
  if (!attributes) return undefined;
  if (!Object.isFrozen(attributes)) return attributes.find((a) => a.name === name);
  let byName = indexed.get(attributes);
  if (!byName) {
    byName = new Map();
    for (const a of attributes) if (a.name !== undefined && !byName.has(a.name)) byName.set(a.name, a);
    indexed.set(attributes, byName);
  }
  return byName.get(name);
}

const indexed = new WeakMap<readonly Attribute[], Map<string, Attribute>>();

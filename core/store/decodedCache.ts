/**
 * Decoded records kept per key and version. Placement reads every container instance of a
 * cluster on each launch; decoding each only when its version moves keeps that read cheap.
 * Values are frozen, since every reader shares them: changes are made on copies, as everywhere
 * in core/.
 */
export class DecodedCache<T extends object> {
  private readonly entries = new Map<string, { version: number | string; value: T }>();

  get(key: string, version: number | string, decode: () => T): T {
    const hit = this.peek(key, version);
    if (hit !== undefined) return hit;
    const value = deepFreeze(decode());
    this.entries.set(key, { version, value });
    return value;
  }

  /** The value decoded at this version, if it is kept. */
  peek(key: string, version: number | string): T | undefined {
    const hit = this.entries.get(key);
    return hit?.version === version ? hit.value : undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

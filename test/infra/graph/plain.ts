/** Pulumi's mark of a secret value, as the mock runtime passes it: `{ [SECRET]: SECRET_VALUE, value }`. */
const SECRET = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Pulumi values as plain data: secrets as their value, assets and archives as `{ asset | archive: path }`. */
export async function plain(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (v[SECRET] === SECRET_VALUE) return plain(v.value);
    if (v.__pulumiAsset && v.path) return { asset: await v.path };
    if (v.__pulumiArchive && v.path) return { archive: await v.path };
    const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await plain(x)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

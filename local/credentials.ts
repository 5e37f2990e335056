import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A key pair in AWS's format: a 20-character id starting with AKIA and a 40-character secret. */
export function generateAccessKey(): AccessKey {
  const id = [...randomBytes(16)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString("base64").replaceAll("/", "+") };
}

/**
 * The local admin key: from BERTH_ACCESS_KEY_ID/BERTH_SECRET_ACCESS_KEY when set, else the pair
 * kept in the data dir (created, readable by its owner only, on first start).
 */
export function loadLocalAccessKey(dataDir: string, env = process.env): AccessKey & { source: string } {
  if (env.BERTH_ACCESS_KEY_ID || env.BERTH_SECRET_ACCESS_KEY) {
    if (!env.BERTH_ACCESS_KEY_ID || !env.BERTH_SECRET_ACCESS_KEY) {
      throw new Error("Set both BERTH_ACCESS_KEY_ID and BERTH_SECRET_ACCESS_KEY, or neither.");
    }
    return {
      accessKeyId: env.BERTH_ACCESS_KEY_ID,
      secretAccessKey: env.BERTH_SECRET_ACCESS_KEY,
      source: "environment",
    };
  }
  const file = join(dataDir, "credentials.json");
  if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, "utf8")) as AccessKey), source: file };
  const key = generateAccessKey();
  writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  return { ...key, source: `${file} (new)` };
}

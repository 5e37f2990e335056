import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AccessKey, generateAccessKey } from "../core/auth/accessKeys.ts";
import { parseBootstrapToken } from "../core/auth/bootstrapToken.ts";

export type { AccessKey };

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

export const BOOTSTRAP_TOKEN_FILE = "bootstrap-token";

/**
 * The bootstrap token of local mode's cluster: a key pair whose policy lets it only join that
 * cluster (core/auth/agentScope.ts), as `<access key id>:<secret>`, the form BERTH_BOOTSTRAP_TOKEN
 * takes. Kept in `bootstrap-token` in the data dir (mode 0600), made on first start.
 */
export function loadLocalBootstrapToken(dataDir: string): AccessKey & { token: string; source: string } {
  const file = join(dataDir, BOOTSTRAP_TOKEN_FILE);
  const fresh = !existsSync(file);
  if (fresh) {
    const key = generateAccessKey();
    writeFileSync(file, `${key.accessKeyId}:${key.secretAccessKey}\n`, { mode: 0o600 });
  }
  const token = readFileSync(file, "utf8").trim();
  return { ...parseBootstrapToken(token), token, source: fresh ? `${file} (new)` : file };
}

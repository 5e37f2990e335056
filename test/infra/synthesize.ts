import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installRecorder, type Recording } from "./recorder.ts";

export const ROOT = join(import.meta.dirname, "../..");

export interface SstConfig {
  app(input: { stage: string }): { removal: string; protect?: boolean };
  run(): Promise<Record<string, unknown>>;
}

/** sst.config.ts evaluated against the recorder for a stage: what it created, and what run() returned. */
export async function synthesize(
  stage = "dev",
): Promise<{ rec: Recording; config: SstConfig; outputs: Record<string, unknown> }> {
  // SST's working directory, where the deploy writes the agent's bundle: a scratch one here.
  const rec = installRecorder(stage, { root: ROOT, work: mkdtempSync(join(tmpdir(), "berth-sst-")) });
  // A specifier tsc does not follow: sst.config.ts and infra/ use SST's globals, whose types come
  // from .sst/platform (scripts/check-infra.sh type-checks them with tsconfig.infra.json).
  const path = "../../sst.config.ts";
  const config = (await import(path)).default as SstConfig;
  return { rec, config, outputs: await config.run() };
}

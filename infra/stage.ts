/**
 * Stages whose data must outlive `sst remove` and a mistaken replacement: the table keeps its
 * deletion protection and SST retains its resources (see `removal` in sst.config.ts, which
 * cannot import this file: SST evaluates `app()` before any import is allowed).
 */
export const PRODUCTION_STAGES = ["prod", "production"];

export const isProduction = (stage: string) => PRODUCTION_STAGES.includes(stage);

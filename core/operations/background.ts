import type { ActionContext } from "./context.ts";

/** Runs `work` without waiting for it: a failure is reported, never thrown, and the context's BackgroundWork (backgroundWork.ts) tracks it. */
export function inBackground(ctx: ActionContext, work: Promise<unknown>, what: string): void {
  const reported = work.catch((error) => reportBackground(ctx, error, what));
  ctx.background?.add(reported);
}

/** A failure that must not fail the request it happens in (a lost nudge): logged, never thrown. */
export function reportBackground(ctx: ActionContext, error: unknown, what: string) {
  if (ctx.onBackgroundError) ctx.onBackgroundError(error, what);
  else console.error(`berth: ${what} failed:`, error);
}

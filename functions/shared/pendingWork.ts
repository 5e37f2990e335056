import { backgroundWork } from "../../core/operations/backgroundWork.ts";

/**
 * What this environment's invocation left in flight (its actions' nudges): every function's
 * ActionContext tracks it here, and lambdaEntry awaits it before the invocation ends, since
 * Lambda freezes the environment as soon as the handler returns.
 */
export const pendingWork = backgroundWork();

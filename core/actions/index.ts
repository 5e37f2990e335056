import * as clusters from "./clusters.ts";
import type { ActionTable } from "./context.ts";

/** Every ECS action Berth answers, by its X-Amz-Target operation name. */
export const actions: ActionTable = {
  ...clusters,
};

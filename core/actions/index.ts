import * as agent from "./agent.ts";
import * as attributes from "./attributes.ts";
import * as clusters from "./clusters.ts";
import * as containerInstances from "./containerInstances.ts";
import type { ActionTable } from "./context.ts";
import * as tags from "./tags.ts";
import * as taskDefinitions from "./taskDefinitions.ts";
import * as tasks from "./tasks.ts";

/**
 * Every ECS action Berth answers, by its X-Amz-Target operation name: each module exports its
 * actions under their ECS names (helpers it exports are not actions and must not be exported
 * with a capitalised name).
 */
export const actions: ActionTable = {
  ...clusters,
  ...taskDefinitions,
  ...containerInstances,
  ...tasks,
  ...agent,
  ...attributes,
  ...tags,
};

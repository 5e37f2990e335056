/**
 * The known statuses of managed containers and tasks as ordered lists, as the ECS agent keeps them:
 * a known status only moves forward (a late or repeated observation changes nothing), and "how far
 * along" is a comparison. Named apart from core's TASK_STATUSES, which are the control plane's.
 */
export const MANAGED_CONTAINER_STATUSES = ["NONE", "PULLED", "CREATED", "RUNNING", "STOPPED"] as const;
export type ManagedContainerStatus = (typeof MANAGED_CONTAINER_STATUSES)[number];

export const MANAGED_TASK_STATUSES = ["NONE", "PENDING", "RUNNING", "STOPPED"] as const;
export type ManagedTaskStatus = (typeof MANAGED_TASK_STATUSES)[number];

/** What the control plane asks of a task (and so of each of its containers). */
export type DesiredStatus = "RUNNING" | "STOPPED";

export const containerRank = (s: ManagedContainerStatus) => MANAGED_CONTAINER_STATUSES.indexOf(s);
export const taskRank = (s: ManagedTaskStatus) => MANAGED_TASK_STATUSES.indexOf(s);

/** The later of two statuses: the only way a known status is ever updated. */
export const laterContainer = (a: ManagedContainerStatus, b: ManagedContainerStatus) =>
  containerRank(b) > containerRank(a) ? b : a;
export const laterTask = (a: ManagedTaskStatus, b: ManagedTaskStatus) => (taskRank(b) > taskRank(a) ? b : a);

/** The ECS API knows only PENDING, RUNNING and STOPPED for a container. */
export const ecsContainerStatus = (s: ManagedContainerStatus) =>
  s === "RUNNING" || s === "STOPPED" ? s : ("PENDING" as const);

/**
 * Container and task statuses as ordered lists, as the ECS agent keeps them: a known status only
 * moves forward (a late or repeated observation changes nothing), and "how far along" is a comparison.
 */
export const CONTAINER_STATUSES = ["NONE", "PULLED", "CREATED", "RUNNING", "STOPPED"] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

export const TASK_STATUSES = ["NONE", "PENDING", "RUNNING", "STOPPED"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What the control plane asks of a task (and so of each of its containers). */
export type DesiredStatus = "RUNNING" | "STOPPED";

export const containerRank = (s: ContainerStatus) => CONTAINER_STATUSES.indexOf(s);
export const taskRank = (s: TaskStatus) => TASK_STATUSES.indexOf(s);

/** The later of two statuses: the only way a known status is ever updated. */
export const laterContainer = (a: ContainerStatus, b: ContainerStatus) => (containerRank(b) > containerRank(a) ? b : a);
export const laterTask = (a: TaskStatus, b: TaskStatus) => (taskRank(b) > taskRank(a) ? b : a);

/** The ECS API knows only PENDING, RUNNING and STOPPED for a container. */
export const ecsContainerStatus = (s: ContainerStatus) =>
  s === "RUNNING" || s === "STOPPED" ? s : ("PENDING" as const);

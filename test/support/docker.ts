import Docker from "dockerode";

/** The image the agent's Docker tests run: busybox-static imported by .ci/run (no registry here). */
export const TEST_IMAGE = "berth-test/busybox:latest";

export const TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn";

/**
 * Why the Docker tests cannot run here (no engine answers, or the test image is missing), or
 * undefined when they can. With CI=true a reason is a failure, not a skip (the AWS CLI suite's
 * convention): CI installs and starts Docker itself.
 */
export async function dockerUnavailable(docker = new Docker()): Promise<string | undefined> {
  try {
    await docker.ping();
  } catch (error) {
    return `no Docker engine answers on /var/run/docker.sock (${(error as Error).message})`;
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    return `the image ${TEST_IMAGE} is missing (build it as .ci/run does, from Debian's busybox-static)`;
  }
  return undefined;
}

/** The containers (running or not) carrying the label `key=value`. */
export const containersLabelled = (docker: Docker, key: string, value: string) =>
  docker.listContainers({ all: true, filters: { label: [`${key}=${value}`] } });

/** The containers (running or not) of the given task. */
export const containersOfTask = (docker: Docker, taskArn: string) =>
  containersLabelled(docker, TASK_ARN_LABEL, taskArn);

/** Removes every container carrying the label `key=value`, whatever its state (test clean-up). */
export async function removeContainersLabelled(docker: Docker, key: string, value: string) {
  for (const c of await containersLabelled(docker, key, value)) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}

/** Removes every container of the given tasks, whatever their state (test clean-up). */
export async function removeTaskContainers(docker: Docker, taskArns: string[]) {
  for (const taskArn of taskArns) await removeContainersLabelled(docker, TASK_ARN_LABEL, taskArn);
}

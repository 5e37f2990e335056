import Docker from "dockerode";
import { watchEvents } from "./dockerEvents.ts";
import { classify, classifyPull, dockerMessage, observe, usage } from "./dockerObserve.ts";
import {
  type ContainerRuntime,
  type CreateSpec,
  type ObservedContainer,
  RuntimeError,
  TASK_ARN_LABEL,
} from "./types.ts";

/** The ContainerRuntime on the Docker Engine API, through dockerode. */
export function createDockerRuntime(options: { socketPath?: string } = {}): ContainerRuntime {
  const docker = new Docker({ socketPath: options.socketPath ?? "/var/run/docker.sock" });

  // 404 on stop/remove means the container is already gone, 304 on stop that it already stopped:
  // both are the outcome the caller wanted.
  const tolerate =
    (...codes: number[]) =>
    (error: unknown) => {
      if (codes.includes((error as { statusCode?: number }).statusCode ?? 0)) return;
      throw classify(error);
    };

  const inspect = async (idOrName: string): Promise<ObservedContainer | undefined> => {
    try {
      return observe(await docker.getContainer(idOrName).inspect());
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw classify(error);
    }
  };

  return {
    async imagePresent(image) {
      try {
        await docker.getImage(image).inspect();
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw classify(error);
      }
    },

    async pullImage(image) {
      try {
        const stream = await docker.pull(image);
        // A pull can fail after it started: the error then arrives as a progress message.
        await new Promise<void>((resolve, reject) =>
          docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
            const failed = err?.message ?? output?.find((o) => o.error)?.error;
            failed ? reject(new Error(failed)) : resolve();
          }),
        );
      } catch (error) {
        const message = dockerMessage(error);
        throw new RuntimeError(classifyPull(message), message);
      }
    },

    async createContainer(spec: CreateSpec) {
      try {
        return (await docker.createContainer(spec)).id;
      } catch (error) {
        throw classify(error);
      }
    },

    async startContainer(id) {
      await docker.getContainer(id).start().catch(tolerate(304));
    },

    async stopContainer(id, timeoutSeconds) {
      await docker.getContainer(id).stop({ t: timeoutSeconds }).catch(tolerate(304, 404));
    },

    async removeContainer(id) {
      await docker.getContainer(id).remove({ force: true, v: true }).catch(tolerate(404));
    },

    async removeVolume(name) {
      await docker.getVolume(name).remove().catch(tolerate(404));
    },

    inspectContainer: inspect,

    async listContainers(label) {
      const filter = label.value === undefined ? label.key : `${label.key}=${label.value}`;
      const listed = await docker.listContainers({ all: true, filters: { label: [filter] } }).catch((error) => {
        throw classify(error);
      });
      const found = await Promise.all(listed.map((c) => inspect(c.Id)));
      return found.filter((c): c is ObservedContainer => c !== undefined);
    },

    watch(onEvent) {
      return watchEvents(docker, TASK_ARN_LABEL, onEvent);
    },

    async stats(id) {
      try {
        return usage(await docker.getContainer(id).stats({ stream: false }));
      } catch (error) {
        throw classify(error);
      }
    },

    async info() {
      const [info, version] = await Promise.all([docker.info(), docker.version()]);
      return {
        cpus: info.NCPU,
        memoryMiB: Math.floor(info.MemTotal / 1048576),
        dockerVersion: version.Version,
      };
    },
  };
}

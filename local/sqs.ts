import type { AddressInfo } from "node:net";
import { buildApp } from "fauxqs";

export interface EmbeddedSqs {
  /** Where SQS clients (the control plane's notifier, local agents) send their requests. */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * An SQS-compatible server in this process (fauxqs), for the agents' wake-up queues: the agent
 * long-polls it with the same SQS client code it uses against Amazon SQS. Built with buildApp
 * rather than startFauxqs, which listens on every interface: this one listens where the control
 * plane does. Its queues live in memory; agents re-create theirs through DiscoverPollEndpoint.
 */
export async function startEmbeddedSqs(host: string, region: string): Promise<EmbeddedSqs> {
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port: 0, host });
  const { port } = app.server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    async stop() {
      await app.close();
    },
  };
}

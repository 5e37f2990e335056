/** An access key pair as a token carries it. */
export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A cluster bootstrap token, `<access key id>:<secret>` (BERTH_BOOTSTRAP_TOKEN): a key that may
 * only register a new container instance in its cluster and fetch that instance's credentials.
 */
export function parseBootstrapToken(token: string): KeyPair {
  const colon = token.indexOf(":");
  if (colon < 1 || colon === token.length - 1) {
    throw new Error("A bootstrap token has the form <access key id>:<secret>, as `berth local` prints it.");
  }
  return { accessKeyId: token.slice(0, colon).trim(), secretAccessKey: token.slice(colon + 1).trim() };
}

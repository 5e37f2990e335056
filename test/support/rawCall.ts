import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface Signing {
  secret?: string;
  keyId?: string;
  service?: string;
  region?: string;
  date?: Date;
}

/**
 * A raw JSON 1.1 call to `X-Amz-Target: <target>`, signed with the server's key unless told
 * otherwise (`false`: unsigned), for what no SDK client reaches: protocol edges, Berth's actions.
 */
/** Where to call and the key to sign with by default (a TestBerth, or any deployment's front door). */
export type CallTarget = { url: string; credentials: { accessKeyId: string; secretAccessKey: string } };

export async function rawCall(berth: CallTarget, target: string, body: string, sign: Signing | false = {}) {
  const url = new URL(berth.url);
  let request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body,
  });
  if (sign) {
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: sign.keyId ?? berth.credentials.accessKeyId,
        secretAccessKey: sign.secret ?? berth.credentials.secretAccessKey,
      },
      region: sign.region ?? "us-east-1",
      service: sign.service ?? "ecs",
      sha256: Sha256,
    });
    request = (await signer.sign(request, { signingDate: sign.date })) as HttpRequest;
  }
  const response = await fetch(`${berth.url}/`, { method: "POST", headers: request.headers, body });
  return {
    status: response.status,
    requestId: response.headers.get("x-amzn-requestid"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

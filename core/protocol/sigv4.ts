import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { EcsError } from "./errors.ts";

/** An HTTP request as it arrived, before any parsing. Header names are lower case. */
export interface RawRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Finds the secret of an access key id; undefined when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

/** `events`: local mode answers EventBridge's PutEvents on the same endpoint (local/eventBus.ts); `application-autoscaling`: Berth answers it for ECS services; `monitoring`: CloudWatch's alarms on them. */
export const SIGNING_SERVICES = ["ecs", "execute-api", "events", "application-autoscaling", "monitoring"];
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** The key and region an `Authorization` header's credential scope names (`Credential=KEY/DATE/REGION/…`), if it is one. */
export function credentialScope(
  authorization: string | undefined,
): { accessKeyId: string; region: string } | undefined {
  const m = authorization === undefined ? null : AUTH.exec(authorization.trim());
  return m ? { accessKeyId: m[1], region: m[3] } : undefined;
}

const missingToken = () => new EcsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
const unrecognized = () =>
  new EcsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
const invalidSignature = (message: string) => new EcsError("InvalidSignatureException", message, 400);

/**
 * Verify an AWS Signature Version 4 `Authorization` header by recomputing it with the key's
 * secret over exactly the headers the client signed. Returns the access key id of the caller.
 */
export async function verifySigV4(
  req: RawRequest,
  lookupSecret: SecretLookup,
  now = new Date(),
  expectedRegion?: string,
): Promise<string> {
  const authorization = req.headers.authorization;
  if (!authorization) throw missingToken();
  const m = AUTH.exec(authorization.trim());
  if (!m) {
    throw invalidSignature(
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of AWS4-HMAC-SHA256.`,
    );
  }
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = m;

  const secret = await lookupSecret(accessKeyId);
  if (secret === undefined) throw unrecognized();
  if (!SIGNING_SERVICES.includes(service)) {
    throw invalidSignature(`Credential should be scoped to correct service: '${SIGNING_SERVICES[0]}'.`);
  }
  // As AWS does: a signature is valid in the region it was made for only.
  if (expectedRegion !== undefined && region !== expectedRegion) {
    throw invalidSignature(
      `Credential should be scoped to a valid region, not '${region}'. Expected '${expectedRegion}'.`,
    );
  }

  const amzDate = req.headers["x-amz-date"];
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate) throw invalidSignature("Authorization header requires existence of a valid 'X-Amz-Date' header.");
  if (!amzDate?.startsWith(scopeDate))
    throw invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate?.slice(0, 8)}'.`,
    );
  if (now.getTime() - signingDate.getTime() > MAX_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (signingDate.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${formatAmzDate(now)} + 15 min.)`,
    );
  }

  const signedHeaders = signedHeaderList.split(";");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw invalidSignature(`Signed header '${name}' is missing from the request.`);
    headers[name] = value;
  }
  // The signer trusts a signed payload hash header; make sure it is the hash of this body.
  const payloadHash = headers["x-amz-content-sha256"];
  if (
    payloadHash &&
    payloadHash !== "UNSIGNED-PAYLOAD" &&
    payloadHash !== createHash("sha256").update(req.body).digest("hex")
  ) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      path: req.path,
      query: req.query,
      headers,
      body: req.body,
      hostname: headers.host ?? "",
    }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? "")?.[1] ?? "";
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw invalidSignature(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return accessKeyId;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

const formatAmzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

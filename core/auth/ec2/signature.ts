import { verify, X509Certificate } from "node:crypto";
import { DEFAULT_RSA_CERTIFICATE, RSA_CERTIFICATES_BY_REGION } from "./rsaCertificates.ts";

/**
 * The signature Berth checks is the one at IMDS `/latest/dynamic/instance-identity/signature`
 * (what agent/imds.ts fetches and the ECS agent sends as instanceIdentityDocumentSignature):
 * base64 of an RSA signature with SHA-256 over the document's exact bytes. It verifies with
 * node:crypto alone against the Region's RSA certificate. The other two signatures are PKCS7
 * (CMS) envelopes, `pkcs7` with DSA and SHA-1, `rsa2048` with RSA-2048, which node:crypto cannot
 * open without an ASN.1 parser of our own: more code to get wrong for no stronger guarantee.
 */

/** AWS's RSA certificate for a Region's identity document signatures. */
export const rsaCertificateFor = (region: string): string =>
  RSA_CERTIFICATES_BY_REGION[region] ?? DEFAULT_RSA_CERTIFICATE;

const keys = new Map<string, X509Certificate>();

/** Whether `signature` (base64, line breaks allowed) is the certificate's key's RSA-SHA256 signature of `document`. */
export function identitySignatureVerifies(document: string, signature: string, certificatePem: string): boolean {
  let certificate = keys.get(certificatePem);
  if (!certificate) {
    certificate = new X509Certificate(certificatePem);
    keys.set(certificatePem, certificate);
  }
  const bytes = Buffer.from(signature.replace(/\s+/g, ""), "base64");
  if (bytes.length === 0) return false;
  try {
    return verify("sha256", Buffer.from(document, "utf8"), certificate.publicKey, bytes);
  } catch {
    return false;
  }
}

import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { identitySignatureVerifies, rsaCertificateFor } from "../../../../../core/auth/ec2/signature.ts";

/**
 * The signature of a real EC2 instance identity document, signed by AWS (test/fixtures, with where
 * it comes from), against AWS's published RSA certificates (core/auth/ec2/rsaCertificates.ts).
 */
const sample: { document: string; signature: string } = JSON.parse(
  readFileSync(new URL("../../../../fixtures/ec2-identity-document.json", import.meta.url), "utf8"),
);

describe("the signature of an instance identity document", () => {
  it("of a real document verifies against AWS's certificate for its region", () => {
    expect(identitySignatureVerifies(sample.document, sample.signature, rsaCertificateFor("ap-southeast-2"))).toBe(
      true,
    );
  });

  it("with the line breaks IMDS puts in the base64 still verifies", () => {
    const wrapped = sample.signature.replace(/(.{64})/g, "$1\n");
    expect(identitySignatureVerifies(sample.document, wrapped, rsaCertificateFor("ap-southeast-2"))).toBe(true);
  });

  it.each([
    ["one field changed", sample.document.replace('"t4g.small"', '"t4g.large"')],
    ["one digit of the account changed", sample.document.replace("189292791360", "189292791361")],
    ["a space added", sample.document.replace("{", "{ ")],
  ])("is refused for a tampered copy (%s)", (_, tampered) => {
    expect(tampered).not.toBe(sample.document);
    expect(identitySignatureVerifies(tampered, sample.signature, rsaCertificateFor("ap-southeast-2"))).toBe(false);
  });

  it("is refused against another region's certificate (af-south-1 signs with a key of its own)", () => {
    expect(rsaCertificateFor("af-south-1")).not.toBe(rsaCertificateFor("ap-southeast-2"));
    expect(identitySignatureVerifies(sample.document, sample.signature, rsaCertificateFor("af-south-1"))).toBe(false);
  });

  it("is refused when it is a signature by anyone else's key, or no signature at all", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const forged = sign("sha256", Buffer.from(sample.document), privateKey).toString("base64");
    expect(identitySignatureVerifies(sample.document, forged, rsaCertificateFor("ap-southeast-2"))).toBe(false);
    expect(identitySignatureVerifies(sample.document, "", rsaCertificateFor("ap-southeast-2"))).toBe(false);
    expect(identitySignatureVerifies(sample.document, "not base64 !!", rsaCertificateFor("ap-southeast-2"))).toBe(
      false,
    );
  });

  it("every certificate kept is AWS's and parses", () => {
    for (const region of ["us-east-1", "af-south-1", "cn-north-1", "us-gov-west-1", "ap-southeast-7"]) {
      const certificate = new X509Certificate(rsaCertificateFor(region));
      expect(certificate.subject).toContain("O=Amazon Web Services LLC");
    }
  });
});

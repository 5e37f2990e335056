import { describe, expect, it } from "vitest";
import { bundleSize, FUNCTIONS } from "../../bench/bundleSizes.ts";

/** Every function bundles (as SST would) and stays well under Lambda's limits; the sizes are printed. */
const CAP_BYTES = 4 * 1024 * 1024;

describe("function bundles", () => {
  it.each(FUNCTIONS)("%s bundles under 4 MiB", async (name) => {
    const { bytes, inputs } = await bundleSize(name);
    console.log(`bundle ${name}: ${(bytes / 1024).toFixed(0)} KiB, ${inputs} modules`);
    expect(bytes).toBeLessThan(CAP_BYTES);
  });
});

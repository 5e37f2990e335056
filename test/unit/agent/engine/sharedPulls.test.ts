import { describe, expect, it } from "vitest";
import { sharedPulls } from "../../../../agent/engine/sharedPulls.ts";

function gatedPull() {
  const calls: { image: string; finish: (error?: Error) => void }[] = [];
  const pull = (image: string) =>
    new Promise<void>((resolve, reject) =>
      calls.push({ image, finish: (error) => (error ? reject(error) : resolve()) }),
    );
  return { pull, calls };
}

describe("shared pulls", () => {
  it("pulls an image once for the tasks that ask while its pull is under way, and again after it", async () => {
    const { pull, calls } = gatedPull();
    const shared = sharedPulls(pull);
    const first = [shared("a"), shared("a"), shared("b"), shared("a")];
    expect(calls.map((c) => c.image)).toEqual(["a", "b"]);
    calls[0].finish();
    calls[1].finish();
    await Promise.all(first);
    const later = shared("a");
    expect(calls.map((c) => c.image)).toEqual(["a", "b", "a"]);
    calls[2].finish();
    await later;
  });

  it("gives every task that shared a failed pull its error, and the next ask pulls again", async () => {
    const { pull, calls } = gatedPull();
    const shared = sharedPulls(pull);
    const both = [shared("a"), shared("a")];
    calls[0].finish(new Error("registry down"));
    for (const p of both) await expect(p).rejects.toThrow("registry down");
    void shared("a");
    expect(calls).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import { withStartSlots } from "../../../../agent/engine/startSlots.ts";
import { FakeRuntime } from "../../../../agent/runtime/fake.ts";
import type { CreateSpec } from "../../../../agent/runtime/types.ts";

/** A runtime whose creates, starts and stops wait until the test lets each one finish. */
function gatedRuntime() {
  const runtime = new FakeRuntime(["img"]);
  const open: { op: string; id: string; finish: () => void }[] = [];
  const gate = (op: string, id: string) => new Promise<void>((finish) => open.push({ op, id, finish }));
  Object.assign(runtime, {
    async createContainer(spec: CreateSpec) {
      await gate("create", spec.name);
      return spec.name;
    },
    startContainer: (id: string) => gate("start", id),
    stopContainer: (id: string) => gate("stop", id),
  });
  const finish = async (id: string) => {
    const index = open.findIndex((o) => o.id === id);
    open.splice(index, 1)[0].finish();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { runtime, open, finish };
}

const spec = (name: string): CreateSpec => ({ name, Image: "img" });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("start slots", () => {
  it("has at most `size` creates and starts with Docker at once; a waiting start goes before a waiting create", async () => {
    const { runtime, open, finish } = gatedRuntime();
    const slotted = withStartSlots(runtime, 2);
    const done: string[] = [];
    const track = (id: string, p: Promise<unknown>) => p.then(() => done.push(id));
    track("c1", slotted.createContainer(spec("c1")));
    track("c2", slotted.createContainer(spec("c2")));
    track("c3", slotted.createContainer(spec("c3")));
    await settle();
    expect(open.map((o) => o.id)).toEqual(["c1", "c2"]);
    track("s1", slotted.startContainer("s1"));
    await settle();
    expect(open.map((o) => o.id)).toEqual(["c1", "c2"]);
    await finish("c1");
    // The start waited less long than c3, yet goes first.
    expect(open.map((o) => o.id)).toEqual(["c2", "s1"]);
    await finish("s1");
    expect(open.map((o) => o.id)).toEqual(["c2", "c3"]);
    await finish("c2");
    await finish("c3");
    expect(done).toEqual(["c1", "s1", "c2", "c3"]);
    expect(open).toEqual([]);
  });

  it("frees the slot of a call that failed", async () => {
    const runtime = new FakeRuntime(["img"]);
    const slotted = withStartSlots(runtime, 1);
    await expect(slotted.startContainer("no-such-container")).rejects.toThrow();
    await expect(slotted.createContainer(spec("after"))).resolves.toBeTypeOf("string");
  });

  it("lets stops through while every slot is taken", async () => {
    const { runtime, open } = gatedRuntime();
    const slotted = withStartSlots(runtime, 1);
    void slotted.startContainer("s1");
    void slotted.stopContainer("x1", 30);
    void slotted.stopContainer("x2", 30);
    await settle();
    expect(open.map((o) => `${o.op} ${o.id}`)).toEqual(["start s1", "stop x1", "stop x2"]);
  });
});

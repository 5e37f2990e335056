import { describe, expect, it } from "vitest";
import { familyOf, parseThrottle, Throttle, type ThrottlingError } from "../../../../core/auth/throttle.ts";

describe("throttling", () => {
  it("lets a burst through, then the sustained rate, per key and family", () => {
    let now = 0;
    const throttle = new Throttle(
      { read: { burst: 3, rate: 1 }, mutate: { burst: 1, rate: 1 }, agent: { burst: 1, rate: 1 } },
      () => now,
    );
    for (let i = 0; i < 3; i++) throttle.take("A", "ListTasks");
    expect(() => throttle.take("A", "ListTasks")).toThrow(
      expect.objectContaining({ name: "ThrottlingException", message: "Rate exceeded" }),
    );
    throttle.take("B", "ListTasks");
    throttle.take("A", "RunTask");
    now = 1000;
    throttle.take("A", "DescribeTasks");
    expect(() => throttle.take("A", "DescribeTasks")).toThrow();
  });

  it("marks the first refusal since the bucket last let a call through", () => {
    let now = 0;
    const throttle = new Throttle(
      { read: { burst: 1, rate: 1 }, mutate: { burst: 1, rate: 1 }, agent: { burst: 1, rate: 1 } },
      () => now,
    );
    const refusal = () => {
      try {
        throttle.take("A", "RunTask");
      } catch (error) {
        return (error as ThrottlingError).startsEpisode;
      }
      return "allowed";
    };
    expect([refusal(), refusal(), refusal()]).toEqual(["allowed", true, false]);
    now = 1000;
    expect([refusal(), refusal()]).toEqual(["allowed", true]);
  });

  it("sorts actions into families and reads limits from text", () => {
    expect([familyOf("DescribeTasks"), familyOf("RunTask"), familyOf("SubmitTaskStateChange")]).toEqual([
      "read",
      "mutate",
      "agent",
    ]);
    expect(parseThrottle("read=10/5, agent=2/1")).toMatchObject({
      read: { burst: 10, rate: 5 },
      agent: { burst: 2, rate: 1 },
    });
    expect(() => parseThrottle("reads=1")).toThrow(/BERTH_THROTTLE/);
  });
});

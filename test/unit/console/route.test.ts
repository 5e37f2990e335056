import { describe, expect, it } from "vitest";
import { href, parseRoute } from "../../../console/src/route.ts";

describe("routes in the URL's fragment", () => {
  it.each([
    ["", { view: "clusters" }],
    ["#/", { view: "clusters" }],
    ["#/c/web", { view: "cluster", cluster: "web" }],
    ["#/c/web/instances", { view: "instances", cluster: "web" }],
    ["#/c/web/events", { view: "events", cluster: "web" }],
    ["#/c/web/services", { view: "services", cluster: "web" }],
    ["#/c/web/services/api", { view: "service", cluster: "web", service: "api" }],
    ["#/c/web/tasks/0123abcd", { view: "task", cluster: "web", task: "0123abcd" }],
    ["#/task-definitions", { view: "taskDefinitions", family: undefined }],
    ["#/task-definitions/app", { view: "taskDefinitions", family: "app" }],
  ])("%s is %j", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it("round-trips names that need escaping", () => {
    const link = href("c", "a b", "services", "x/y");
    expect(parseRoute(link)).toEqual({ view: "service", cluster: "a b", service: "x/y" });
  });
});

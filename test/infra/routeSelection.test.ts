import { describe, expect, it } from "vitest";
import { selectRoute } from "../cloud/sources/routeSelection.ts";

/** The HTTP API stand-in's route choice (test:cloud), on the examples of API Gateway's guide and Berth's own routes. */
const routes = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"].map(
  (routeKey) => ({ routeKey }),
);
const pick = (method: string, path: string, among = routes) => selectRoute(among, method, path);

describe("the HTTP API stand-in's route selection", () => {
  it("prefers a full match, then path variables, then a greedy variable, then ANY, then $default", () => {
    expect(pick("GET", "/pets/dog/1")).toEqual({ route: { routeKey: "GET /pets/dog/1" } });
    expect(pick("GET", "/pets/dog/2")).toEqual({
      route: { routeKey: "GET /pets/dog/{id}" },
      pathParameters: { id: "2" },
    });
    expect(pick("GET", "/pets/cat/1")).toEqual({
      route: { routeKey: "GET /pets/{proxy+}" },
      pathParameters: { proxy: "cat/1" },
    });
    expect(pick("POST", "/pets/dog/1")?.route.routeKey).toBe("ANY /{proxy+}");
    expect(pick("POST", "/")?.route.routeKey).toBe("$default");
  });

  it("sends the console's page and assets to the console's routes, and /console/ elsewhere", () => {
    const berth = ["POST /", "GET /healthz", "GET /console", "GET /console/{proxy+}", "$default"].map((routeKey) => ({
      routeKey,
    }));
    expect(pick("GET", "/console", berth)?.route.routeKey).toBe("GET /console");
    expect(pick("GET", "/console/app.js", berth)).toEqual({
      route: { routeKey: "GET /console/{proxy+}" },
      pathParameters: { proxy: "app.js" },
    });
    // A greedy variable takes one or more characters: the bare prefix is not its child.
    expect(pick("GET", "/console/", berth)?.route.routeKey).toBe("$default");
    expect(pick("GET", "/healthz/", berth)?.route.routeKey).toBe("$default");
    expect(pick("GET", "/nowhere", [{ routeKey: "GET /healthz" }])).toBeUndefined();
  });
});

/**
 * How API Gateway's HTTP API picks a route for a request (its developer guide, "Routing API
 * requests"): a full match of path and method first; then routes with path variables, `{name}`
 * taking one segment and a greedy `{name+}` at the end taking one or more (never an empty tail,
 * so `/console/{proxy+}` does not take `/console/`), the most literal segments first; a route of
 * the request's method before an `ANY` one; `$default` last. The variables become the event's
 * `pathParameters`.
 */
export interface RouteMatch<R> {
  route: R;
  pathParameters?: Record<string, string>;
}

export function selectRoute<R extends { routeKey: string }>(
  routes: R[],
  method: string,
  path: string,
): RouteMatch<R> | undefined {
  const matches = routes.flatMap((route) => {
    const [routeMethod, pattern] = route.routeKey.split(" ");
    if (!pattern || (routeMethod !== method && routeMethod !== "ANY")) return [];
    const parameters = matchPath(pattern, path);
    if (!parameters) return [];
    const segments = pattern.split("/");
    const rank = [
      segments.some((s) => s.endsWith("+}")) ? 1 : 0,
      -segments.filter((s) => !s.startsWith("{")).length,
      routeMethod === "ANY" ? 1 : 0,
    ];
    return [{ route, parameters, rank }];
  });
  matches.sort((a, b) => compare(a.rank, b.rank));
  const best = matches[0];
  if (best)
    return Object.keys(best.parameters).length > 0
      ? { route: best.route, pathParameters: best.parameters }
      : { route: best.route };
  const fallback = routes.find((r) => r.routeKey === "$default");
  return fallback && { route: fallback };
}

const compare = (a: number[], b: number[]) => {
  const i = a.findIndex((value, k) => value !== b[k]);
  return i === -1 ? 0 : a[i] - b[i];
};

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  const parameters: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i];
    const variable = /^\{(\w+)(\+?)\}$/.exec(part);
    if (variable?.[2]) {
      const rest = got.slice(i).join("/");
      if (rest === "") return undefined;
      parameters[variable[1]] = rest;
      return parameters;
    }
    if (i >= got.length) return undefined;
    if (variable) {
      if (got[i] === "") return undefined;
      parameters[variable[1]] = got[i];
    } else if (part !== got[i]) return undefined;
  }
  return want.length === got.length ? parameters : undefined;
}

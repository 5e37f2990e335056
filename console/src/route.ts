import { useEffect, useState } from "preact/hooks";

/**
 * Where the user is, in the URL's fragment (`#/c/default/services/web`), so a view can be
 * bookmarked, shared and reloaded, and the server needs one page only.
 */
export type Route =
  | { view: "clusters" }
  | { view: "cluster" | "instances" | "services" | "tasks" | "events"; cluster: string }
  | { view: "service"; cluster: string; service: string }
  | { view: "task"; cluster: string; task: string }
  | { view: "taskDefinitions"; family?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "task-definitions") return { view: "taskDefinitions", family: parts[1] };
  if (parts[0] !== "c" || !parts[1]) return { view: "clusters" };
  const cluster = parts[1];
  switch (parts[2]) {
    case "instances":
      return { view: "instances", cluster };
    case "events":
      return { view: "events", cluster };
    case "services":
      return parts[3] ? { view: "service", cluster, service: parts[3] } : { view: "services", cluster };
    case "tasks":
      return parts[3] ? { view: "task", cluster, task: parts[3] } : { view: "tasks", cluster };
    default:
      return { view: "cluster", cluster };
  }
}

/** The href of a view: `href("c", cluster, "services", name)`. */
export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join("/")}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

import { useEffect, useMemo, useState } from "preact/hooks";
import { type Api, connect, errorText } from "./api/client.ts";
import { clearSession, loadSession } from "./api/session.ts";
import { SessionContext } from "./context.ts";
import { PERMISSION_REASON_ID, permissionOf } from "./permissions.ts";
import { href, type Route, useRoute } from "./route.ts";
import { ClusterView } from "./views/cluster.tsx";
import { ClustersView } from "./views/clusters.tsx";
import { EventsView } from "./views/events.tsx";
import { InstancesView } from "./views/instances.tsx";
import { Login } from "./views/login.tsx";
import { ServiceView } from "./views/service.tsx";
import { ServicesView } from "./views/services.tsx";
import { TaskView } from "./views/task.tsx";
import { TaskDefinitionsView } from "./views/taskDefinitions.tsx";
import { TasksView } from "./views/tasks.tsx";

/** The console: sign in (or resume this tab's session), then the views under one header. */
export function App() {
  const [api, setApi] = useState<Api>();
  const [resuming, setResuming] = useState(() => loadSession() !== undefined);
  const [resumeError, setResumeError] = useState<string>();
  useEffect(() => {
    const saved = loadSession();
    if (!saved) return;
    connect(saved)
      .then(setApi, (e) => setResumeError(errorText(e)))
      .finally(() => setResuming(false));
  }, []);
  const signOut = () => {
    clearSession();
    api?.close();
    setApi(undefined);
  };
  if (resuming) return <p class="loading">Signing in…</p>;
  if (!api)
    return (
      <>
        {resumeError && <p class="error">The saved key no longer works: {resumeError}</p>}
        <Login onSignedIn={setApi} />
      </>
    );
  return <SignedIn api={api} onSignOut={signOut} />;
}

function SignedIn({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const route = useRoute();
  const permission = useMemo(() => permissionOf(api.accessKeyId, api.policy), [api]);
  const [cluster, setCluster] = useState("default");
  const current = "cluster" in route ? route.cluster : cluster;
  useEffect(() => setCluster(current), [current]);
  const link = (label: string, to: string, active: boolean) => (
    <a href={to} aria-current={active ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <SessionContext.Provider value={{ api, permission }}>
      <header>
        <a class="brand" href="#/">
          Berth
        </a>
        <nav aria-label="Views">
          {link("Clusters", "#/", route.view === "clusters")}
          {link(`Cluster ${current}`, href("c", current), route.view === "cluster")}
          {link("Instances", href("c", current, "instances"), route.view === "instances")}
          {link("Services", href("c", current, "services"), route.view === "services" || route.view === "service")}
          {link("Tasks", href("c", current, "tasks"), route.view === "tasks" || route.view === "task")}
          {link("Events", href("c", current, "events"), route.view === "events")}
          {link("Task definitions", "#/task-definitions", route.view === "taskDefinitions")}
        </nav>
        <span class="key" title={`Signed in with ${api.accessKeyId}`}>
          {api.accessKeyId} · {api.policy.kind}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {permission.reason && (
        <p id={PERMISSION_REASON_ID} class="notice" role="note">
          {permission.reason}
        </p>
      )}
      <main>
        <View route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case "clusters":
      return <ClustersView />;
    case "cluster":
      return <ClusterView cluster={route.cluster} />;
    case "instances":
      return <InstancesView cluster={route.cluster} />;
    case "services":
      return <ServicesView cluster={route.cluster} />;
    case "service":
      return <ServiceView cluster={route.cluster} service={route.service} />;
    case "tasks":
      return <TasksView cluster={route.cluster} />;
    case "task":
      return <TaskView cluster={route.cluster} task={route.task} />;
    case "events":
      return <EventsView cluster={route.cluster} />;
    case "taskDefinitions":
      return <TaskDefinitionsView family={route.family} />;
  }
}

import { loadTasks } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { Section } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { TaskTable } from "../ui/taskTable.tsx";

/** The cluster's tasks: those meant to run, then those stopped (kept as long as Berth keeps them). */
export function TasksView({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const polled = usePoll(() => loadTasks(api, cluster), `tasks:${cluster}`);
  const tasks = polled.data ?? [];
  return (
    <>
      <LiveHeading title={`Tasks of ${cluster}`} polled={polled} />
      <Section title="Running and pending">
        <TaskTable
          cluster={cluster}
          tasks={tasks.filter((t) => t.desiredStatus !== "STOPPED")}
          onChange={polled.refresh}
        />
      </Section>
      <Section title="Stopped">
        <TaskTable
          cluster={cluster}
          tasks={tasks.filter((t) => t.desiredStatus === "STOPPED")}
          onChange={polled.refresh}
        />
      </Section>
    </>
  );
}

import type { TaskSet } from "@aws-sdk/client-ecs";
import { taskDefinitionName } from "../api/fleet.ts";
import { Section, Status, Time } from "../ui/format.tsx";

/**
 * An EXTERNAL service's task sets (its controller manages them, CreateTaskSet and the like): what
 * each runs, its scale and computed count, its counts and stability. Read-only here.
 */
export function TaskSets({ taskSets }: { taskSets: TaskSet[] }) {
  return (
    <Section title="Task sets">
      <table>
        <thead>
          <tr>
            <th scope="col">Task set</th>
            <th scope="col">Status</th>
            <th scope="col">Task definition</th>
            <th scope="col">Scale</th>
            <th scope="col">Desired</th>
            <th scope="col">Pending</th>
            <th scope="col">Running</th>
            <th scope="col">Stability</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {taskSets.map((ts) => (
            <tr key={ts.id}>
              <th scope="row">
                <code>{ts.id}</code> {ts.externalId}
              </th>
              <td>
                <Status value={ts.status} />
              </td>
              <td>{taskDefinitionName(ts.taskDefinition)}</td>
              <td>{ts.scale?.value} %</td>
              <td>{ts.computedDesiredCount}</td>
              <td>{ts.pendingCount}</td>
              <td>{ts.runningCount}</td>
              <td>
                <Status value={ts.stabilityStatus} />
              </td>
              <td>
                <Time at={ts.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

import { DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { loadTaskDefinitionFamilies, taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { href } from "../route.ts";
import { ActionButton } from "../ui/actionButton.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { RevisionDiff } from "../ui/revisionDiff.tsx";

/** Families and their ACTIVE revisions; a family's revisions in detail, each deregistrable. */
export function TaskDefinitionsView({ family }: { family?: string }) {
  const { api } = useSession();
  const polled = usePoll(() => loadTaskDefinitionFamilies(api), "task-definitions");
  const families = [...(polled.data ?? new Map<string, string[]>())];
  return (
    <>
      <LiveHeading title={family ? `Task definition ${family}` : "Task definitions"} polled={polled} />
      {family ? (
        <Revisions arns={polled.data?.get(family) ?? []} onChange={polled.refresh} />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Family</th>
              <th scope="col">Active revisions</th>
              <th scope="col">Latest</th>
            </tr>
          </thead>
          <tbody>
            {families.map(([name, arns]) => (
              <tr key={name}>
                <th scope="row">
                  <a href={href("task-definitions", name)}>{name}</a>
                </th>
                <td>{arns.length}</td>
                <td>{taskDefinitionName(arns[0])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Revisions({ arns, onChange }: { arns: string[]; onChange: () => void }) {
  if (arns.length === 0) return <p>No active revisions.</p>;
  return (
    <>
      {arns.map((arn) => (
        <Revision key={arn} arn={arn} onChange={onChange} />
      ))}
      {arns.length > 1 && <RevisionDiff arns={arns} />}
    </>
  );
}

/** One revision's containers (read once: a revision never changes) and its Deregister button. */
function Revision({ arn, onChange }: { arn: string; onChange: () => void }) {
  const { api } = useSession();
  const polled = usePoll(
    async () => (await api.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition,
    `revision:${arn}`,
    Number.POSITIVE_INFINITY,
  );
  const name = taskDefinitionName(arn);
  const td = polled.data;
  return (
    <article class="card" aria-label={`Revision ${name}`}>
      <h2>{name}</h2>
      {td && (
        <ul class="containers">
          {td.containerDefinitions?.map((c) => (
            <li key={c.name}>
              <strong>{c.name}</strong> <code>{c.image}</code> {c.cpu ? `${c.cpu} CPU` : ""}{" "}
              {c.memory ? `${c.memory} MiB` : c.memoryReservation ? `${c.memoryReservation} MiB reserved` : ""}{" "}
              {c.command && <code>{c.command.join(" ")}</code>}
            </li>
          ))}
        </ul>
      )}
      <div class="buttons">
        <ActionButton
          label="Deregister"
          danger
          question={`Deregister ${name}? Running tasks keep running; no new task or service can use it.`}
          run={() => api.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))}
          onDone={onChange}
        />
      </div>
    </article>
  );
}

import { DescribeTaskDefinitionCommand, type TaskDefinition } from "@aws-sdk/client-ecs";
import { useState } from "preact/hooks";
import { taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { diffLines } from "../diff.ts";
import { usePoll } from "../poll.ts";

/** What differs between any two revisions anyway: left out of the diff. */
const BOOKKEEPING = ["taskDefinitionArn", "revision", "registeredAt", "registeredBy", "status", "deregisteredAt"];

const comparable = (td: TaskDefinition | undefined) =>
  JSON.stringify(
    Object.fromEntries(Object.entries(td ?? {}).filter(([k]) => !BOOKKEEPING.includes(k))),
    (_key, value) => (value instanceof Date ? value.toISOString() : value),
    2,
  );

/** Two revisions of a family side by side as a line diff of their definitions (newest two first). */
export function RevisionDiff({ arns }: { arns: string[] }) {
  const { api } = useSession();
  const [older, setOlder] = useState(arns[1]);
  const [newer, setNewer] = useState(arns[0]);
  const polled = usePoll(
    async () => {
      const describe = async (taskDefinition: string) =>
        (await api.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition;
      return Promise.all([describe(older), describe(newer)]);
    },
    `diff:${older}:${newer}`,
    Number.POSITIVE_INFINITY,
  );
  const pick = (label: string, value: string, set: (arn: string) => void) => (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => set((e.currentTarget as HTMLSelectElement).value)}>
        {arns.map((arn) => (
          <option key={arn} value={arn}>
            {taskDefinitionName(arn)}
          </option>
        ))}
      </select>
    </label>
  );
  const lines = polled.data ? diffLines(comparable(polled.data[0]), comparable(polled.data[1])) : [];
  const changed = lines.filter((l) => l.kind !== "same").length;
  return (
    <section aria-label="Compare revisions">
      <h2>Compare revisions</h2>
      <div class="buttons">
        {pick("From", older, setOlder)}
        {pick("to", newer, setNewer)}
      </div>
      {polled.data && (
        <>
          <p>{changed === 0 ? "No differences." : `${changed} lines differ.`}</p>
          <pre class="diff">
            {lines.map((l, i) => (
              <div key={i} class={l.kind}>
                <span aria-hidden="true">{l.kind === "added" ? "+ " : l.kind === "removed" ? "- " : "  "}</span>
                {l.kind !== "same" && <span class="visually-hidden">{l.kind}: </span>}
                {l.text}
              </div>
            ))}
          </pre>
        </>
      )}
    </section>
  );
}

import { errorText } from "../api/client.ts";
import { loadScaling, type ScalableTarget, type ScalingPolicy } from "../api/scaling.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { Section, Status, Time } from "../ui/format.tsx";

/** AWS's cooldown when a policy names none (seconds). */
const DEFAULT_COOLDOWN = 300;

/**
 * A service's auto scaling, read through Application Auto Scaling's API and polled with the rest
 * of the page: its scalable target, policies, scheduled actions and latest activities. Read only;
 * a failed read (a key not allowed `application-autoscaling:Describe*`) shows ECS-style words here
 * and leaves the rest of the page alone.
 */
export function ServiceScaling({ cluster, service }: { cluster: string; service: string }) {
  const { api } = useSession();
  const polled = usePoll(() => loadScaling(api, cluster, service), `scaling:${cluster}/${service}`);
  const scaling = polled.data;
  return (
    <Section title="Auto scaling">
      {polled.error ? (
        <p class="error" role="alert">
          {errorText(polled.error)}
        </p>
      ) : null}
      {!polled.at ? (
        polled.error ? null : (
          <p>Loading…</p>
        )
      ) : !scaling ? (
        <p data-testid="scalable-target">None: no scalable target is registered for this service.</p>
      ) : (
        <>
          <p data-testid="scalable-target">
            Scalable target: {scaling.target.MinCapacity} to {scaling.target.MaxCapacity} tasks.
            {" Suspended: "}
            {suspended(scaling.target)}.
          </p>
          <h3>Scaling policies</h3>
          {scaling.policies.length ? (
            <table>
              <ColumnHeads
                names={["Policy", "Type", "Metric", "Target", "Scale-out cooldown", "Scale-in cooldown", "Scale-in"]}
              />
              <tbody>
                {scaling.policies.map((p) => (
                  <PolicyRow key={p.PolicyName} policy={p} />
                ))}
              </tbody>
            </table>
          ) : (
            <p>No scaling policies.</p>
          )}
          <h3>Scheduled actions</h3>
          {scaling.scheduledActions.length ? (
            <table>
              <ColumnHeads names={["Action", "Schedule", "Time zone", "Min", "Max"]} />
              <tbody>
                {scaling.scheduledActions.map((a) => (
                  <tr key={a.ScheduledActionName}>
                    <th scope="row">{a.ScheduledActionName}</th>
                    <td>
                      <code>{a.Schedule}</code>
                    </td>
                    <td>{a.Timezone ?? "UTC"}</td>
                    <td>{a.ScalableTargetAction?.MinCapacity ?? "—"}</td>
                    <td>{a.ScalableTargetAction?.MaxCapacity ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No scheduled actions.</p>
          )}
          <h3>Latest scaling activities</h3>
          {scaling.activities.length ? (
            <table>
              <ColumnHeads names={["Started", "Status", "Activity", "Cause"]} />
              <tbody>
                {scaling.activities.map((a) => (
                  <tr key={a.ActivityId}>
                    <td>
                      <Time at={new Date(a.StartTime * 1000)} />
                    </td>
                    <td>
                      <Status value={a.StatusCode} />
                      {/* A success's message only repeats its description. */}
                      {a.StatusCode !== "Successful" && a.StatusMessage ? ` ${a.StatusMessage}` : ""}
                    </td>
                    <td>{a.Description}</td>
                    <td>{a.Cause}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No scaling activity yet.</p>
          )}
        </>
      )}
    </Section>
  );
}

function PolicyRow({ policy }: { policy: ScalingPolicy }) {
  const t = policy.TargetTrackingScalingPolicyConfiguration;
  const step = policy.StepScalingPolicyConfiguration;
  // A step policy's metric is its alarms'; its one cooldown applies both ways.
  const alarms = policy.Alarms?.map((a) => `alarm ${a.AlarmName}`).join(", ");
  const metric =
    t?.PredefinedMetricSpecification?.PredefinedMetricType ?? t?.CustomizedMetricSpecification?.MetricName ?? alarms;
  const stepCooldown = step ? `${step.Cooldown ?? DEFAULT_COOLDOWN} s` : "—";
  return (
    <tr>
      <th scope="row">{policy.PolicyName}</th>
      <td>{policy.PolicyType}</td>
      <td>{metric || "—"}</td>
      <td>{t ? t.TargetValue : "—"}</td>
      <td>{t ? `${t.ScaleOutCooldown ?? DEFAULT_COOLDOWN} s` : stepCooldown}</td>
      <td>{t ? `${t.ScaleInCooldown ?? DEFAULT_COOLDOWN} s` : stepCooldown}</td>
      <td>{t ? (t.DisableScaleIn ? "disabled" : "enabled") : "—"}</td>
    </tr>
  );
}

const ColumnHeads = ({ names }: { names: string[] }) => (
  <thead>
    <tr>
      {names.map((name) => (
        <th scope="col" key={name}>
          {name}
        </th>
      ))}
    </tr>
  </thead>
);

/** Which of the target's scaling is suspended, in words. */
function suspended(target: ScalableTarget): string {
  const s = target.SuspendedState;
  const which = [
    s?.DynamicScalingInSuspended && "dynamic scale-in",
    s?.DynamicScalingOutSuspended && "dynamic scale-out",
    s?.ScheduledScalingSuspended && "scheduled scaling",
  ].filter(Boolean);
  return which.length ? which.join(", ") : "no";
}

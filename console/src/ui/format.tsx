import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

/** `12 s ago`, `3 min ago`: how fresh a time is, which is what a heartbeat's reader wants. */
export function ago(date: Date | undefined, now = Date.now()): string {
  if (!date) return "never";
  const s = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** A time with its full value on hover. */
export const Time = ({ at }: { at?: Date }) =>
  at ? (
    <time dateTime={at.toISOString()} title={at.toISOString()}>
      {at.toLocaleTimeString()}
    </time>
  ) : (
    <>—</>
  );

/** A status word with a colour class (and the word itself, so colour is never the only cue). */
export function Status({ value }: { value?: string }) {
  const tone =
    value === undefined || value === "UNKNOWN"
      ? "muted"
      : /^(RUNNING|ACTIVE|COMPLETED|HEALTHY|PRIMARY|STEADY_STATE|connected|Successful)$/.test(value)
        ? "ok"
        : /^(STOPPED|FAILED|UNHEALTHY|INACTIVE|disconnected|DEPROVISIONING|Failed|Unfulfilled)$/.test(value)
          ? "bad"
          : "warn";
  return <span class={`status ${tone}`}>{value ?? "—"}</span>;
}

/** A labelled amount used out of a total, as a native <meter> (announced by screen readers). */
export function Gauge({ label, used, total, unit }: { label: string; used?: number; total: number; unit: string }) {
  const id = useId();
  if (used === undefined) {
    return (
      <div class="gauge">
        <span>{label}</span>
        <span>not reported yet</span>
      </div>
    );
  }
  return (
    <div class="gauge">
      <label for={id}>{label}</label>
      <span>
        {Math.round(used)} / {total} {unit}
      </span>
      <meter id={id} min={0} max={total || 1} value={used} high={total * 0.85} optimum={0} />
    </div>
  );
}

export const Section = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <section aria-label={title}>
    <h2>{title}</h2>
    {children}
  </section>
);

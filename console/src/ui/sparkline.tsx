import { type Sample, WINDOW_MS } from "../utilizationHistory.ts";
import { Time } from "./format.tsx";

const WIDTH = 240;
const HEIGHT = 48;

/** A minute at least, so the first few samples do not fill the chart's width. */
const MIN_SPAN_MS = 60_000;

/**
 * An SVG polyline of one figure (0 to 100 %), newest on the right, over `spanMs` back from now:
 * the time since the first sample, at most the hour kept, so a page opened a minute ago still
 * draws a line across.
 */
function points(samples: Sample[], pick: (s: Sample) => number, now: number, spanMs: number) {
  return samples
    .map((s) => {
      const x = WIDTH - ((now - s.at) / spanMs) * WIDTH;
      const y = HEIGHT - (Math.min(100, Math.max(0, pick(s))) / 100) * HEIGHT;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

/**
 * A host's CPU and memory over the last hour, as a small chart with a text alternative (the
 * latest figures and the peaks), so the chart is never the only way to read them.
 */
export function UtilizationChart({ samples, now = Date.now() }: { samples: Sample[]; now?: number }) {
  if (samples.length === 0) return <p class="chart-empty">Utilization: no heartbeat with figures yet.</p>;
  const last = samples[samples.length - 1];
  const spanMs = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - samples[0].at));
  const minutes = Math.round(spanMs / 60_000);
  const peak = (pick: (s: Sample) => number) => Math.round(Math.max(...samples.map(pick)));
  const summary = `CPU ${Math.round(last.cpu)} %, memory ${Math.round(last.memory)} % now; peaks over the last ${minutes} min: CPU ${peak((s) => s.cpu)} %, memory ${peak((s) => s.memory)} %.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={summary}>
        <rect x="0" y="0" width={WIDTH} height={HEIGHT} class="chart-frame" />
        <polyline points={points(samples, (s) => s.memory, now, spanMs)} class="chart-memory" />
        <polyline points={points(samples, (s) => s.cpu, now, spanMs)} class="chart-cpu" />
      </svg>
      <figcaption>
        <span class="legend-cpu">CPU</span> and <span class="legend-memory">memory</span> (dashed) of the host over the
        last {minutes} min, from <Time at={new Date(samples[0].at)} /> (Berth keeps a sample a minute for an hour; the
        console adds each heartbeat it sees). {summary}
      </figcaption>
    </figure>
  );
}

import type { Capacity } from "../resources.ts";
import { Gauge } from "./format.tsx";

/** Reserved (what placement counts) next to used (what the agent measured), for CPU and memory. */
export const CapacityGauges = ({ capacity }: { capacity: Capacity }) => (
  <div class="gauges">
    <Gauge label="CPU reserved" used={capacity.cpu.reserved} total={capacity.cpu.total} unit="units" />
    <Gauge label="CPU used" used={capacity.cpu.used} total={capacity.cpu.total} unit="units" />
    <Gauge label="Memory reserved" used={capacity.memory.reserved} total={capacity.memory.total} unit="MiB" />
    <Gauge label="Memory used" used={capacity.memory.used} total={capacity.memory.total} unit="MiB" />
  </div>
);

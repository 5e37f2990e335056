import type { ControlPlane } from "./controlPlane.ts";
import type { Logger } from "./log.ts";

/** Below this, a learned offset is network delay and the Date header's rounding, not a wrong clock. */
const NOTICEABLE_MS = 60_000;

/**
 * Tells the operator when this host's clock is off. The control plane refuses signatures more
 * than 15 min from its time (as AWS does); the agent signs with the control plane's time, learned
 * from its answers' Date header (as the AWS SDKs do), so it carries on, and this logs it once per
 * episode with the fix, since the host's other clients and its logs' timestamps are still wrong.
 * Call `check()` after calls to the control plane.
 */
export function createClockSkewNotice(cp: ControlPlane, log: Logger) {
  let logged = 0;
  return {
    check() {
      const offset = cp.clockOffsetMs?.() ?? 0;
      const minutes = Math.round(Math.abs(offset) / 60_000);
      if (Math.abs(offset) < NOTICEABLE_MS) {
        if (logged !== 0) log.info("this host's clock agrees with the control plane's again");
        logged = 0;
        return;
      }
      if (Math.abs(offset - logged) < NOTICEABLE_MS) return;
      logged = offset;
      log.warn(
        `this host's clock is ${minutes} min ${offset > 0 ? "behind" : "ahead of"} the control plane's; the agent ` +
          "signs with the control plane's time (it refuses signatures more than 15 min off: " +
          "InvalidSignatureException). Set this host's clock right (NTP: chronyd or systemd-timesyncd).",
      );
    },
  };
}

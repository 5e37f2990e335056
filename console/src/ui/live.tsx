import { errorText } from "../api/client.ts";
import type { Polled } from "../poll.ts";
import { Time } from "./format.tsx";

/**
 * A view's heading with how fresh its data is, and the last read's error if it failed (the
 * data shown stays the previous answer). Only an error is announced: a screen reader is not
 * interrupted by every poll.
 */
export function LiveHeading({ title, polled }: { title: string; polled: Polled<unknown> }) {
  return (
    <div class="live-heading">
      <h1>{title}</h1>
      <span class="updated">
        {polled.error ? (
          <span class="error" role="alert">
            {errorText(polled.error)}
          </span>
        ) : polled.at ? (
          <>
            Live · updated <Time at={polled.at} />
          </>
        ) : (
          "Loading…"
        )}
      </span>
    </div>
  );
}

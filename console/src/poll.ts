import { useCallback, useEffect, useRef, useState } from "preact/hooks";

/** How often views read the fleet again: live enough to watch a rollout, light on the API. */
export const POLL_MS = 3000;

export interface Polled<T> {
  data?: T;
  error?: unknown;
  /** When data last arrived. */
  at?: Date;
  /** Reads again now (after an action, so its effect shows without waiting). */
  refresh(): void;
}

/**
 * Calls `load` now and `everyMs` after each answer (never two at once, so a slow server is not
 * piled on), until the view goes away or `key` changes; `Infinity` reads once (what never
 * changes). A failed read keeps the last data on screen next to the error.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, everyMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; at?: Date }>({});
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (live) setState({ data, at: new Date() });
      } catch (error) {
        if (live) setState((s) => ({ ...s, error }));
      }
      if (live && Number.isFinite(everyMs)) timer = setTimeout(run, everyMs);
    };
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, tick, everyMs]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, refresh };
}

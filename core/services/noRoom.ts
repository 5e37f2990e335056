import type { ContainerInstanceRecord, NoRoom } from "../model/records.ts";

/**
 * Tasks that found no room on a capacity provider's group are what managed scaling adds an
 * instance for: a round records them on the service (by provider, with the time), and the sweep
 * counts only records this recent, made by a round that saw the group's latest registration (an
 * instance that registered since may take them: the service's next round tries). Every sweep nudges every
 * service, so a service still short records it again well within this; one that stopped being
 * reconciled stops counting.
 */
export const NO_ROOM_RECENT_MS = 5 * 60_000;

/**
 * The service's no-room records after a round that tried to start tasks: `found` the tasks left
 * unplaced for lack of room, by provider, and `registeredMs` the latest registration among the
 * instances the round saw. A record that says the same and is still fresh keeps its time, so
 * that a service stuck waiting does not rewrite its record every round.
 */
export function nextNoRoom(
  previous: Record<string, NoRoom> | undefined,
  found: Record<string, number>,
  now: number,
  registeredMs: number,
): Record<string, NoRoom> | undefined {
  const next: Record<string, NoRoom> = {};
  for (const [provider, tasks] of Object.entries(found)) {
    const before = previous?.[provider];
    const fresh =
      before &&
      before.tasks === tasks &&
      before.registeredMs === registeredMs &&
      now - before.atMs < NO_ROOM_RECENT_MS / 2;
    next[provider] = fresh ? before : { tasks, atMs: now, registeredMs };
  }
  return Object.keys(next).length > 0 ? next : undefined;
}

/**
 * How many of the service's tasks recently found no room on the provider's group, on the
 * instances it has now: by a round that saw `registeredMs`, the group's latest registration.
 */
export function waitingOn(
  noRoom: Record<string, NoRoom> | undefined,
  provider: string,
  now: number,
  registeredMs: number,
): number {
  const record = noRoom?.[provider];
  return record && record.registeredMs >= registeredMs && now - record.atMs < NO_ROOM_RECENT_MS ? record.tasks : 0;
}

/** When the latest of these instances registered (epoch ms; 0 for none). */
export const latestRegistration = (instances: Iterable<ContainerInstanceRecord>): number =>
  Math.max(
    0,
    ...[...instances].map((i) => (i.instance.registeredAt ? new Date(i.instance.registeredAt).getTime() : 0)),
  );

/**
 * A table's rows of a cluster kept in memory between reads: placement reads every container
 * instance and heartbeat of a cluster on each launch, and between two launches only the few rows
 * a launch wrote change. The store re-reads the rows it writes itself after each commit
 * (`refresh`) and drops everything when another connection has written the file (`clear`, on a
 * change of `PRAGMA data_version`), so a read returns what a query would, minus the rows expired
 * since, which `rows` leaves out as the query would.
 */
export interface ClusterRow {
  id: string;
  expires_at: number | null;
}

/**
 * A cluster's rows by id, ascending, each id's position in them, and until when every one of
 * them is live (then they are returned as they are, not filtered: placement reads them on every
 * launch, and rows rarely expire).
 */
interface Kept<R> {
  ordered: R[];
  at: Map<string, number>;
  allLiveUntil: number;
}

export class ClusterRows<R extends ClusterRow> {
  private readonly clusters = new Map<string, Kept<R>>();

  constructor(
    /** Every row of the cluster, expired or not. */
    private readonly loadCluster: (cluster: string) => R[],
    /** The row with this key, expired or not; undefined when there is none. */
    private readonly loadRow: (cluster: string, id: string) => R | undefined,
  ) {}

  /** The cluster's live rows at `now`, by id: read them at once, the next write changes them. */
  rows(cluster: string, now: number): readonly R[] {
    let entry = this.clusters.get(cluster);
    if (!entry) {
      entry = indexed(this.loadCluster(cluster));
      this.clusters.set(cluster, entry);
    }
    if (now < entry.allLiveUntil) return entry.ordered;
    let until = Number.POSITIVE_INFINITY;
    const live = entry.ordered.filter((row) => {
      if (row.expires_at === null) return true;
      until = Math.min(until, row.expires_at);
      return row.expires_at > now;
    });
    if (live.length === entry.ordered.length) entry.allLiveUntil = until;
    return live;
  }

  /** Re-reads one row after this connection wrote it (only if its cluster is kept). */
  refresh(cluster: string, id: string): void {
    const entry = this.clusters.get(cluster);
    if (!entry) return;
    const row = this.loadRow(cluster, id);
    const at = entry.at.get(id);
    if (row && at !== undefined) {
      entry.ordered[at] = row;
      if (row.expires_at !== null) entry.allLiveUntil = Math.min(entry.allLiveUntil, row.expires_at);
      return;
    }
    // A row that comes or goes (registration, purge): the order is rebuilt, which is rare.
    const others = entry.ordered.filter((r) => r.id !== id);
    this.clusters.set(cluster, indexed(row ? [...others, row] : others));
  }

  clear(): void {
    this.clusters.clear();
  }
}

function indexed<R extends ClusterRow>(rows: R[]): Kept<R> {
  const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ordered, at: new Map(ordered.map((row, i) => [row.id, i])), allLiveUntil: Number.NEGATIVE_INFINITY };
}

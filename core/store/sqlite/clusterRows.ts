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

export class ClusterRows<R extends ClusterRow> {
  /** Per cluster: its rows by id, ascending, and each id's position in them. */
  private readonly clusters = new Map<string, { ordered: R[]; at: Map<string, number> }>();

  constructor(
    /** Every row of the cluster, expired or not. */
    private readonly loadCluster: (cluster: string) => R[],
    /** The row with this key, expired or not; undefined when there is none. */
    private readonly loadRow: (cluster: string, id: string) => R | undefined,
  ) {}

  /** The cluster's live rows at `now`, by id. */
  rows(cluster: string, now: number): R[] {
    let entry = this.clusters.get(cluster);
    if (!entry) {
      entry = indexed(this.loadCluster(cluster));
      this.clusters.set(cluster, entry);
    }
    return entry.ordered.filter((row) => row.expires_at === null || row.expires_at > now);
  }

  /** Re-reads one row after this connection wrote it (only if its cluster is kept). */
  refresh(cluster: string, id: string): void {
    const entry = this.clusters.get(cluster);
    if (!entry) return;
    const row = this.loadRow(cluster, id);
    const at = entry.at.get(id);
    if (row && at !== undefined) {
      entry.ordered[at] = row;
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

function indexed<R extends ClusterRow>(rows: R[]): { ordered: R[]; at: Map<string, number> } {
  const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ordered, at: new Map(ordered.map((row, i) => [row.id, i])) };
}

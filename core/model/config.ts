/** Where this control plane lives: every ARN it mints carries these. */
export interface Partition {
  region: string;
  accountId: string;
}

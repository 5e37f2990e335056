/* The types of `Resource` from "sst" for Berth's functions, as `sst deploy` generates them from
 * infra/ (it rewrites this file; it is checked in so that tsc passes offline). */
import "sst";

declare module "sst" {
  export interface Resource {
    AgentQueues: { prefix: string; type: "sst.sst.Linkable" };
    BerthAdminKey: { type: "sst.sst.Secret"; value: string };
    BootstrapTokenParameter: { name: string; type: "sst.sst.Linkable" };
    Bus: { arn: string; name: string; type: "sst.aws.Bus" };
    KeyEncryptionKey: { name: string; type: "sst.sst.Linkable" };
    SchedulerQueue: { url: string; type: "sst.aws.Queue" };
    Table: { name: string; type: "sst.aws.Dynamo" };
  }
}

/**
 * Berth's event bus: the events function publishes ECS-shaped events on it (task, container
 * instance, service and deployment state changes), and deployment requests arrive on it
 * (`source: berth.deployments`). Rules of the account's own can subscribe to either.
 */
export const bus = new sst.aws.Bus("Bus");

import type { TestProject } from "vitest/node";
import { dynamoDbLocalAvailable, startDynamoDbLocal } from "./dynamodbLocal.ts";

/** One DynamoDB Local for the whole `dynamodb` project; every server the tests start gets its own table in it. */
export default async function setup(project: TestProject) {
  if (!dynamoDbLocalAvailable()) throw new Error("DynamoDB Local cannot run here (see above).");
  const local = await startDynamoDbLocal();
  project.provide("dynamodbEndpoint", local.endpoint);
  return () => local.stop();
}

import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { TTL_ATTRIBUTE, tableDefinition } from "./table.ts";

/** How long a new table may take to become ACTIVE (seconds on DynamoDB, at once on DynamoDB Local). */
const CREATE_WAIT_SECONDS = 300;

/**
 * Creates Berth's table when it is missing (on demand, with the key schema and indexes of
 * table.ts), waits until it is ACTIVE, and turns TTL on. An existing table is used as it is:
 * changing a deployed schema is the infrastructure's business.
 */
export async function ensureTable(client: DynamoDBClient, table: string) {
  if (!(await exists(client, table))) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(table)));
    } catch (error) {
      // Being created by a concurrent start: the wait below sees it through.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: CREATE_WAIT_SECONDS, minDelay: 1 }, { TableName: table });
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  if (TimeToLiveDescription?.TimeToLiveStatus === "DISABLED") {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
      }),
    );
  }
}

/** Asked first, so that a role without dynamodb:CreateTable can open an existing table. */
async function exists(client: DynamoDBClient, table: string) {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

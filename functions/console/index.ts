import { join } from "node:path";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { ASSETS_DIR, readConsole } from "../../console/assets.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { observability } from "../shared/observability.ts";
import { createConsoleHandler } from "./handler.ts";

const obs = observability("console");

let assets: ReturnType<typeof readConsole> | undefined;
const handle = createConsoleHandler(() => {
  assets ??= readConsole(join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), ASSETS_DIR));
  return assets;
}, process.env.AWS_REGION ?? "us-east-1");

export const handler = lambdaEntry(
  obs,
  async () => (event: APIGatewayProxyEventV2, _context: Context) => handle(event),
);

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { ConsoleAsset } from "../../console/assets.ts";
import { consoleAnswer } from "../../console/serve.ts";

/**
 * The console function: `GET /console` and `GET /console/{proxy+}` of the HTTP API answered
 * from the built assets, as local mode answers them (console/serve.ts). Same origin as the ECS
 * API, so the page's calls need no CORS and its CSP allows nothing else.
 */
export function createConsoleHandler(assets: () => Map<string, ConsoleAsset>, region: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const answer = consoleAnswer(event.rawPath, assets(), region);
    const body = typeof answer.body === "string" ? answer.body : Buffer.from(answer.body).toString("utf8");
    return { statusCode: answer.status, headers: answer.headers, body };
  };
}

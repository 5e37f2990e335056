import { join } from "node:path";
import { ASSETS_DIR } from "../console/assets.ts";
import { writeConsole } from "../console/build.ts";
import { api } from "./api.ts";
import { berthFunction } from "./functions.ts";

/**
 * The web console on AWS: two routes of the same HTTP API as the ECS endpoint, answered by a
 * small function that carries the console built at deploy time (as local mode serves it). Same
 * origin as the API, so the browser's signed calls need no CORS, and the page's CSP allows
 * nothing else. A static site (S3 + CloudFront) would cost about as little but be a second
 * origin (CORS on the API, a second URL): not worth it for three small files.
 */
const assets = writeConsole(join($cli.paths.work, "console"));

export const consoleFunction = new sst.aws.Function("ConsoleFunction", {
  ...berthFunction("console", []),
  memory: "128 MB",
  timeout: "5 seconds",
  copyFiles: [{ from: assets, to: ASSETS_DIR }],
});

api.route("GET /console", consoleFunction.arn);
api.route("GET /console/{proxy+}", consoleFunction.arn);

/** The console's address, among the stack's outputs. */
export const consoleUrl = $interpolate`${api.url}/console/`;

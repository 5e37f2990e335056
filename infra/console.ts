import { join, relative } from "node:path";
import { ASSETS_DIR } from "../console/assets.ts";
import { writeConsole } from "../console/build.ts";
import { api } from "./api.ts";
import { berthFunction } from "./functions.ts";

/**
 * The web console on AWS: two routes of the same HTTP API as the ECS endpoint, answered by a
 * function (Berth's usual settings) that carries the console built at deploy time (as local mode serves it). Same
 * origin as the API, so the browser's signed calls need no CORS, and the page's CSP allows
 * nothing else. A static site (S3 + CloudFront) would cost about as little but be a second
 * origin (CORS on the API, a second URL): not worth it for three small files.
 */
const assets = writeConsole($cli.paths.root, join($cli.paths.work, "console"));

export const consoleFunction = new sst.aws.Function("ConsoleFunction", {
  ...berthFunction("console", []),
  // SST takes copyFiles' `from` relative to the project's root.
  copyFiles: [{ from: relative($cli.paths.root, assets), to: ASSETS_DIR }],
});

api.route("GET /console", consoleFunction.arn);
api.route("GET /console/{proxy+}", consoleFunction.arn);

/** The console's address, among the stack's outputs: the exact route (`/console/` is not one on AWS). */
export const consoleUrl = $interpolate`${api.url}/console`;

// The network of the offline cloud run, loaded into every process that plays a deployed part
// (each function's runtime, the agent) with `node --import`: AWS's public endpoints, by name
// (`sqs.us-east-1.amazonaws.com`, the API's `<id>.execute-api.<region>.amazonaws.com`), reach the
// stand-in that plays that service, in plain HTTP on 127.0.0.1. Deployed code holds AWS's own
// URLs (a queue's URL in its links, the API's URL in the agent's settings), and the AWS SDK sends
// a queue's requests to its URL's host whatever endpoint it is configured with: routing by name,
// as DNS would, is what lets the code run unchanged. A request to any other amazonaws.com host
// fails loudly, so that nothing silently tries the real AWS.
//
// BERTH_TEST_AWS_HOSTS: JSON {"<host>": "http://127.0.0.1:<port>"}.
import http from "node:http";
import https from "node:https";
import { syncBuiltinESMExports } from "node:module";

const hosts = JSON.parse(process.env.BERTH_TEST_AWS_HOSTS ?? "{}");
const httpsRequest = https.request;

function routed(args) {
  const [first, second] = args;
  const options = typeof first === "string" || first instanceof URL ? { ...urlOptions(first), ...second } : first;
  const host = options?.hostname ?? options?.host;
  if (typeof host !== "string" || !host.endsWith(".amazonaws.com")) return undefined;
  const target = hosts[host];
  if (!target) throw new Error(`offline cloud: no stand-in for ${host} (BERTH_TEST_AWS_HOSTS)`);
  const to = new URL(target);
  const rest = typeof first === "string" || first instanceof URL ? args.slice(2) : args.slice(1);
  const { agent: _httpsAgent, ...plain } = options;
  return [{ ...plain, protocol: "http:", hostname: to.hostname, host: to.hostname, port: to.port }, ...rest];
}

function urlOptions(url) {
  const u = new URL(url);
  return { hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: "GET" };
}

https.request = (...args) => {
  const to = routed(args);
  return to ? http.request(...to) : httpsRequest(...args);
};
https.get = (...args) => {
  const req = https.request(...args);
  req.end();
  return req;
};
syncBuiltinESMExports();

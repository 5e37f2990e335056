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
const original = { http: http.request, https: https.request, fetch: globalThis.fetch };

/** The stand-in's URL for an AWS host, undefined for any other host; throws for an AWS host with none. */
function standIn(host) {
  if (typeof host !== "string" || !host.endsWith(".amazonaws.com")) return undefined;
  const target = hosts[host];
  if (!target) throw new Error(`offline cloud: no stand-in for ${host} (BERTH_TEST_AWS_HOSTS)`);
  return new URL(target);
}

/** http(s).request's arguments for the stand-in, or undefined when the request is not for AWS. */
function routed(args) {
  const [first, second] = args;
  const isUrl = typeof first === "string" || first instanceof URL;
  const options = isUrl ? { ...urlOptions(first), ...second } : first;
  const to = standIn(options?.hostname ?? options?.host);
  if (!to) return undefined;
  const { agent: _tlsAgent, ...plain } = options;
  const rest = isUrl && typeof second === "object" ? args.slice(2) : args.slice(1);
  return [{ ...plain, protocol: "http:", hostname: to.hostname, host: to.hostname, port: to.port }, ...rest];
}

function urlOptions(url) {
  const u = new URL(url);
  return { hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: "GET" };
}

// The AWS SDK's Node handler: https for AWS's endpoints, http for a URL a stand-in handed out
// under AWS's name (moto answers a queue's URL with the scheme it was asked in).
for (const [module, request] of [
  [https, original.https],
  [http, original.http],
]) {
  module.request = (...args) => {
    const to = routed(args);
    return to ? original.http(...to) : request(...args);
  };
  module.get = (...args) => {
    const req = module.request(...args);
    req.end();
    return req;
  };
}

// fetch (the agent's Berth actions), through http.request as well: fetch would send the
// stand-in's address as the Host header, and the signed one (AWS's name) must stay.
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const to = standIn(url.hostname);
  if (!to) return original.fetch(input, init);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  return new Promise((resolve, reject) => {
    const options = {
      hostname: to.hostname,
      port: to.port,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      signal: request.signal,
    };
    const req = original.http(options, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) headers.set(name, String(value));
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers }));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
};
syncBuiltinESMExports();

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An ELBv2 endpoint for tests that passes every call through to a real implementation (moto's
 * server) and changes one thing: in DescribeTargetHealth answers, the targets on the instances a
 * test names in `failing` are `unhealthy` ("Health checks failed"). moto checks no real target
 * and calls every registered one healthy; this plays a target whose health checks fail, while
 * registration, deregistration and the rest stay moto's. The actions a test names in `refusing`
 * are answered with an AccessDenied error instead (ELBv2 out of reach). Not a mock of Berth's code: Berth's
 * ELBv2 client (core/aws/elbv2.ts) talks HTTP to it through its endpoint.
 */
export interface TargetHealthProxy {
  endpoint: string;
  /** Instance ids whose targets fail their health checks. */
  failing: Set<string>;
  /** ELBv2 actions (e.g. "DeregisterTargets") refused with AccessDenied, not passed on. */
  refusing: Set<string>;
  close(): Promise<void>;
}

const UNHEALTHY =
  "<State>unhealthy</State><Reason>Target.FailedHealthChecks</Reason><Description>Health checks failed</Description>";

/** ELBv2's (Query protocol) error answer for an action the caller may not take. */
const refusal = (action: string) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform elasticloadbalancing:${action}</Message></Error><RequestId>0</RequestId></ErrorResponse>`;

export async function startTargetHealthProxy(upstream: string): Promise<TargetHealthProxy> {
  const failing = new Set<string>();
  const refusing = new Set<string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const action = new URLSearchParams(body.toString()).get("Action");
    if (action && refusing.has(action)) {
      res.writeHead(403, { "content-type": "text/xml" });
      res.end(refusal(action));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([k, v]) =>
        v === undefined || k === "host" || k === "content-length" ? [] : [[k, Array.isArray(v) ? v.join(",") : v]],
      ),
    );
    const answer = await fetch(`${upstream}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    let text = await answer.text();
    if (action === "DescribeTargetHealth") {
      text = text.replace(/<member>([\s\S]*?)<\/member>/g, (member: string) => {
        const id = /<Id>([^<]*)<\/Id>/.exec(member)?.[1];
        return id && failing.has(id) ? member.replace(/<State>[^<]*<\/State>/, UNHEALTHY) : member;
      });
    }
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/xml" });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failing,
    refusing,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

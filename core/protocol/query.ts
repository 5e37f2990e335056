import { serialization } from "./errors.ts";
import type { Model, Shape } from "./model.ts";

/**
 * The AWS query protocol, for the APIs that still speak it (older SDKs send CloudWatch's calls
 * this way): a form-encoded body (`Action`, `Version`, the input flattened by the model: lists as
 * `Name.member.N`, maps as `Name.entry.N.key`/`.value`, nested members by dots) and an XML
 * answer (`<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`), both shaped by the model.
 */
export const isQueryRequest = (contentType: string | undefined) =>
  (contentType ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");

/** The operation a query body names, and its version. */
export function queryAction(body: string): { action: string; version: string; params: URLSearchParams } {
  const params = new URLSearchParams(body);
  return { action: params.get("Action") ?? "", version: params.get("Version") ?? "", params };
}

/** The operation's input as its JSON form would be, from the flattened parameters. */
export function queryInput(model: Model, operation: string, params: URLSearchParams): Record<string, unknown> {
  const shapeName = model.operations[operation]?.input;
  if (!shapeName) return {};
  return (decode(model, model.shapes[shapeName], "", params) as Record<string, unknown>) ?? {};
}

function decode(model: Model, shape: Shape, prefix: string, params: URLSearchParams): unknown {
  const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const value = decode(model, model.shapes[member.shape], key(name), params);
        if (value !== undefined) out[name] = value;
      }
      return prefix && Object.keys(out).length === 0 ? undefined : out;
    }
    case "list": {
      // An empty list is sent as the bare name with no value.
      if (params.has(prefix) && params.get(prefix) === "") return [];
      const items: unknown[] = [];
      for (let i = 1; ; i++) {
        const item = decode(model, model.shapes[shape.member?.shape ?? ""], `${prefix}.member.${i}`, params);
        if (item === undefined) return items.length > 0 ? items : undefined;
        items.push(item);
      }
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (let i = 1; params.has(`${prefix}.entry.${i}.key`); i++) {
        out[params.get(`${prefix}.entry.${i}.key`) as string] = decode(
          model,
          model.shapes[shape.value?.shape ?? ""],
          `${prefix}.entry.${i}.value`,
          params,
        );
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default: {
      const raw = params.get(prefix);
      if (raw === null) return undefined;
      return scalar(shape, raw, prefix);
    }
  }
}

function scalar(shape: Shape, raw: string, at: string): unknown {
  switch (shape.type) {
    case "integer":
    case "long":
    case "double": {
      const n = Number(raw);
      if (raw.trim() === "" || Number.isNaN(n)) throw serialization(`Expected a number at '${at}'.`);
      return n;
    }
    case "boolean":
      if (raw !== "true" && raw !== "false") throw serialization(`Expected true or false at '${at}'.`);
      return raw === "true";
    case "timestamp": {
      const t = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
      if (Number.isNaN(t.getTime())) throw serialization(`Expected a timestamp at '${at}'.`);
      return t;
    }
    default:
      return raw;
  }
}

/** The XML answer to a query call: the output shaped by the model, under `<OpResult>`. */
export function queryResponse(model: Model, operation: string, output: unknown, requestId: string, xmlns: string) {
  const shapeName = model.operations[operation]?.output;
  const result = shapeName
    ? `<${operation}Result>${encode(model, model.shapes[shapeName], output)}</${operation}Result>`
    : "";
  return `<${operation}Response xmlns="${xmlns}">${result}<ResponseMetadata><RequestId>${xmlText(requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
}

/** The query protocol's error document. */
export function queryError(code: string, message: string, sender: boolean, requestId: string) {
  return `<ErrorResponse><Error><Type>${sender ? "Sender" : "Receiver"}</Type><Code>${xmlText(code)}</Code><Message>${xmlText(message)}</Message></Error><RequestId>${xmlText(requestId)}</RequestId></ErrorResponse>`;
}

function encode(model: Model, shape: Shape, value: unknown): string {
  if (value === undefined || value === null) return "";
  switch (shape.type) {
    case "structure":
      return Object.entries(shape.members ?? {})
        .map(([name, member]) => {
          const v = (value as Record<string, unknown>)[name];
          return v === undefined || v === null
            ? ""
            : `<${name}>${encode(model, model.shapes[member.shape], v)}</${name}>`;
        })
        .join("");
    case "list":
      return (value as unknown[])
        .map((item) => `<member>${encode(model, model.shapes[shape.member?.shape ?? ""], item)}</member>`)
        .join("");
    case "map":
      return Object.entries(value as Record<string, unknown>)
        .map(
          ([k, v]) =>
            `<entry><key>${xmlText(k)}</key><value>${encode(model, model.shapes[shape.value?.shape ?? ""], v)}</value></entry>`,
        )
        .join("");
    case "timestamp":
      return (value instanceof Date ? value : new Date(Number(value) * 1000)).toISOString();
    default:
      return xmlText(String(value));
  }
}

const xmlText = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

import { isAbsolute, join } from "node:path";

/**
 * SST's globals ($config, sst, aws, $app, $cli, $asset, $interpolate, $resolve, $jsonStringify), replaced by a
 * recorder: evaluating sst.config.ts and infra/ against it records every component created, with
 * its arguments, and every method called on one (subscribe, route), without Pulumi or AWS — a
 * synth test in the spirit of CDK's assertions. Outputs are stand-in strings such as
 * `<Api.url>`, which `$interpolate` and `$resolve(...).apply` combine as Pulumi would.
 */
export interface Created {
  type: string;
  name: string;
  args: Record<string, unknown>;
  resource: unknown;
}

export interface Called {
  target: string;
  method: string;
  args: unknown[];
}

export interface Recording {
  created: Created[];
  called: Called[];
  /** The component named `name` (the first argument of its constructor). */
  get(name: string): Created;
}

/** The name of a recorded resource, for comparing links. */
export const NAME = Symbol("recorded name");

export class Output {
  constructor(readonly value: unknown) {}
  apply<T>(fn: (value: unknown) => T): Output {
    return new Output(fn(this.value));
  }
  toString() {
    return String(this.value);
  }
}

const resolved = (x: unknown): unknown => (x instanceof Output ? resolved(x.value) : x);

/** Methods of components the infra calls; any other property of a component is an output. */
const METHODS = new Set(["subscribe", "route"]);

/** What `$asset(path)` records: the file a Pulumi asset would upload. */
export class Asset {
  constructor(readonly path: string) {}
}

/** SST's project paths (`$cli.paths`): the repository and SST's working directory (`.sst`). */
export interface Paths {
  root: string;
  work: string;
}

export function installRecorder(stage: string, paths: Paths): Recording {
  const created: Created[] = [];
  const called: Called[] = [];

  // A resource's output of a string it was given (an S3 object's key, a parameter's name) is that string, as in Pulumi.
  const resource = (name: string, args: Record<string, unknown> = {}): unknown =>
    new Proxy(
      {},
      {
        get(_, prop) {
          if (prop === NAME) return name;
          if (typeof prop === "symbol") return undefined;
          if (typeof args[prop] === "string") return new Output(args[prop]);
          if (METHODS.has(prop)) {
            return (...args: unknown[]) => {
              called.push({ target: name, method: prop, args });
              return resource(`${name}.${prop}(${typeof args[0] === "string" ? args[0] : ""})`);
            };
          }
          return new Output(`<${name}.${prop}>`);
        },
      },
    );

  // A namespace (sst.aws, aws.ssm, ...) that records constructions and calls of what it holds.
  const namespace = (path: string): unknown =>
    // A plain function (not an arrow) as the target: only those can be constructed.
    new Proxy(function component() {}, {
      get: (_, prop) => (typeof prop === "symbol" ? undefined : namespace(`${path}.${String(prop)}`)),
      construct(_, [name, args = {}]) {
        const made = resource(name as string, args as Record<string, unknown>);
        created.push({ type: path, name: name as string, args: args as Record<string, unknown>, resource: made });
        return made as object;
      },
      apply(_, __, args) {
        called.push({ target: path, method: "call", args });
        // sst.aws.permission's value is its input (what a Linkable includes); getters answer outputs.
        if (path === "sst.aws.permission") return args[0];
        const subscribedName = typeof args[0] === "string" ? args[0] : path;
        return resource(subscribedName);
      },
    });

  const globals: Record<string, unknown> = {
    $config: (config: unknown) => config,
    $app: { name: "berth", stage },
    $cli: { paths },
    $asset: (path: string) => new Asset(isAbsolute(path) ? path : join(paths.root, path)),
    sst: namespace("sst"),
    aws: namespace("aws"),
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) =>
      new Output(strings.reduce((text, s, i) => text + s + (i < values.length ? String(resolved(values[i])) : ""), "")),
    $resolve: (values: unknown[]) => new Output(values.map(resolved)),
    $jsonStringify: (value: unknown) =>
      new Output(JSON.stringify(value, (_, v) => (v instanceof Output ? resolved(v) : v))),
  };
  Object.assign(globalThis, globals);

  return {
    created,
    called,
    get(name) {
      const found = created.find((c) => c.name === name);
      if (!found) throw new Error(`No component named ${name}; made: ${created.map((c) => c.name).join(", ")}`);
      return found;
    },
  };
}

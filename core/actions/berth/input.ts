import { bounds, inEnum, isObject, join, missingMember, wrongType } from "../../protocol/validate.ts";

/**
 * Berth's actions are not in the ECS model, so they read their input by hand, with the errors
 * the model validation gives ECS actions: a value of the wrong JSON type is a
 * SerializationException; a missing required member or a value out of bounds is an
 * InvalidParameterException; null counts as absent; unknown members are ignored.
 */
export class Members {
  private constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** The request body (an empty body has been decoded as {}). */
  static of(input: unknown): Members {
    if (!isObject(input)) throw wrongType.structure("request");
    return new Members(input, "");
  }

  private get(name: string): unknown {
    const v = this.value[name];
    return v === null ? undefined : v;
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    if (v !== undefined && typeof v !== "string") throw wrongType.string(join(this.path, name));
    return v;
  }

  requiredString(name: string): string {
    return this.required(name, this.string(name));
  }

  /** One of `values`. */
  requiredEnum<T extends string>(name: string, values: readonly T[]): T {
    const v = this.requiredString(name);
    inEnum(v, values, join(this.path, name));
    return v as T;
  }

  /** A whole number, when present. */
  integer(name: string): number | undefined {
    const v = this.get(name);
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v))) {
      throw wrongType.double(join(this.path, name));
    }
    return v;
  }

  /** A finite number, at least `min`. */
  requiredNumber(name: string, min = 0): number {
    const v = this.required(name, this.get(name));
    const at = join(this.path, name);
    if (typeof v !== "number" || !Number.isFinite(v)) throw wrongType.double(at);
    bounds(v, { min }, v, at, "value");
    return v;
  }

  structure(name: string): Members | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const at = join(this.path, name);
    if (!isObject(v)) throw wrongType.structure(at);
    return new Members(v, at);
  }

  /** A list of structures, of at most `max` items. */
  structures(name: string, max: number): Members[] | undefined {
    return this.list(name, max)?.map(({ item, at }) => {
      if (!isObject(item)) throw wrongType.structure(at);
      return new Members(item, at);
    });
  }

  /** A list of strings, of `min` to `max` items. */
  strings(name: string, min: number, max: number): string[] | undefined {
    return this.list(name, max, min)?.map(({ item, at }) => {
      if (typeof item !== "string") throw wrongType.string(at);
      return item;
    });
  }

  private list(name: string, max: number, min = 0): { item: unknown; at: string }[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const at = join(this.path, name);
    if (!Array.isArray(v)) throw wrongType.list(at);
    bounds(v.length, { min, max }, v, at, "length");
    return v.map((item, i) => ({ item, at: `${at}.${i + 1}.member` }));
  }

  private required<T>(name: string, v: T | undefined): T {
    if (v === undefined) throw missingMember(join(this.path, name));
    return v;
  }
}

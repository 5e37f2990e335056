/**
 * Names and values of one request's expressions, collected as its conditions are written, so
 * that each condition reads as a named part (`eq("family", f)`, `live(now)`) and no attribute
 * name can collide with DynamoDB's reserved words.
 */
export class Expression {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A placeholder of its own for a name that is no attribute of ours (a map key, such as a port). */
  alias(name: string): string {
    const placeholder = `#a${this.count++}`;
    this.names[placeholder] = name;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  eq(attribute: string, value: unknown): string {
    return `${this.name(attribute)} = ${this.value(value)}`;
  }

  ne(attribute: string, value: unknown): string {
    return `${this.name(attribute)} <> ${this.value(value)}`;
  }

  /** Not expired: DynamoDB's TTL deletes lazily (up to days later), so readers skip expired items themselves. */
  live(now: number): string {
    const expiresAt = this.name("expiresAt");
    return `(attribute_not_exists(${expiresAt}) OR ${expiresAt} > ${this.value(now)})`;
  }

  /** Absent, or present but expired: an expired record counts as absent, so it may be created anew. */
  absent(now: number): string {
    return `(attribute_not_exists(${this.name("pk")}) OR ${this.name("expiresAt")} <= ${this.value(now)})`;
  }

  /** The ExpressionAttribute* parameters of the request (DynamoDB refuses empty maps). */
  params() {
    return {
      ...(Object.keys(this.names).length > 0 && { ExpressionAttributeNames: this.names }),
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: this.values }),
    };
  }
}

export const and = (parts: string[]) => parts.join(" AND ");

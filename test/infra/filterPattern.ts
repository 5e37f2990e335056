/**
 * Lambda's event filtering (the EventBridge pattern syntax), for the subset Berth's filters use:
 * nested objects, and arrays of the values a field may equal. Anything else throws, so that a
 * filter using more than this is never judged by a matcher that does not understand it.
 */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    for (const allowed of pattern)
      if (typeof allowed === "object" && allowed !== null)
        throw new Error(`unsupported rule ${JSON.stringify(allowed)}`);
    return pattern.includes(value);
  }
  if (typeof pattern !== "object" || pattern === null) throw new Error(`a pattern's leaves are arrays: ${pattern}`);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(pattern).every(([key, inner]) => matches(inner, (value as Record<string, unknown>)[key]));
}

/** Lambda invokes the function for a record if any of the filters' patterns matches it. */
export const passes = (filters: unknown[], record: unknown) => filters.some((f) => matches(f, record));

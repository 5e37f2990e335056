import { invalidParameter } from "../protocol/errors.ts";

/**
 * A clientToken as ECS takes it: RunTask's "up to 64 characters ... in the range of 33-126,
 * inclusive", CreateService's "up to 36 ASCII characters". A longer one could not be remembered
 * either: the key it is kept under would be beyond DynamoDB's.
 */
export function checkClientToken(token: string | undefined, max: 64 | 36): void {
  if (token === undefined || (token.length <= max && /^[\x21-\x7e]*$/.test(token))) return;
  throw invalidParameter(`clientToken can have up to ${max} characters in the range 33-126 (printable ASCII).`);
}

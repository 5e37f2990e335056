import { EcsError } from "../../protocol/errors.ts";

/**
 * CloudWatch's errors. Its JSON protocol is query-compatible: the SDKs read the error code from
 * the `x-amzn-query-error` header (`InvalidParameterValue;Sender`), `__type` is the shape's name.
 */
export const CODES: Record<string, string> = {
  InvalidParameterValueException: "InvalidParameterValue",
  MissingRequiredParameterException: "MissingParameter",
  InvalidParameterCombinationException: "InvalidParameterCombination",
  ResourceNotFound: "ResourceNotFound",
  ResourceNotFoundException: "ResourceNotFoundException",
  InvalidNextToken: "InvalidNextToken",
  LimitExceededFault: "LimitExceeded",
  InvalidFormatFault: "InvalidFormat",
};

export const invalidValue = (message: string) => new EcsError("InvalidParameterValueException", message);
export const missingParameter = (message: string) => new EcsError("MissingRequiredParameterException", message);
export const invalidCombination = (message: string) => new EcsError("InvalidParameterCombinationException", message);

/**
 * The shared model check and paging call their refusals InvalidParameterException; CloudWatch
 * calls a missing member MissingParameter and any other bad value InvalidParameterValue.
 */
export function asCloudWatchError(error: unknown): unknown {
  if (!(error instanceof EcsError) || error.name !== "InvalidParameterException") return error;
  if (error.message.includes("Member must not be null")) return missingParameter(error.message);
  return invalidValue(error.message);
}
export const alarmNotFound = (message: string) => new EcsError("ResourceNotFound", message, 404);
export const resourceNotFound = (message: string) => new EcsError("ResourceNotFoundException", message, 404);
export const invalidFormat = (message: string) => new EcsError("InvalidFormatFault", message);

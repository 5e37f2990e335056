import { EcsError } from "../../protocol/errors.ts";

/** Application Auto Scaling's errors (its JSON 1.1 errors carry `__type` and a message, as ECS's do). */
export const validation = (message: string) => new EcsError("ValidationException", message);
export const objectNotFound = (message: string) => new EcsError("ObjectNotFoundException", message);

/**
 * What the shared ECS helpers (the model check, paging) call InvalidParameterException,
 * Application Auto Scaling calls ValidationException.
 */
export function asAutoScalingError(error: unknown): unknown {
  return error instanceof EcsError && error.name === "InvalidParameterException" ? validation(error.message) : error;
}

import type { Action, ActionTable } from "../operations/context.ts";
import type { Model } from "../protocol/model.ts";
import { validateInput } from "../protocol/validate.ts";

/**
 * The exports of action modules named after an operation of `model` (the rest are helpers),
 * each with its errors passed through `mapError`: what the shared ECS helpers call
 * InvalidParameterException, another API names its own way.
 */
export function apiTable(model: Model, mapError: (error: unknown) => unknown, ...modules: object[]): ActionTable {
  const out: ActionTable = {};
  for (const module of modules) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function" || !Object.hasOwn(model.operations, name)) continue;
      const action = value as Action;
      out[name] = (input, ctx) =>
        action(input, ctx).catch((error) => {
          throw mapError(error);
        });
    }
  }
  return out;
}

/** The check of a request against `model`, its refusals passed through `mapError` as the actions' are. */
export const modelValidator =
  (model: Model, mapError: (error: unknown) => unknown) =>
  (operation: string, input: unknown): void => {
    try {
      validateInput(operation, input, model);
    } catch (error) {
      throw mapError(error);
    }
  };

import autoScaling from "./autoscaling-model.json" with { type: "json" };
import cloudWatch from "./cloudwatch-model.json" with { type: "json" };
import model from "./ecs-model.json" with { type: "json" };

/**
 * The ECS API model (a trimmed copy of botocore's, see scripts/generate-ecs-model.py): the
 * specification that requests are checked against.
 */
export interface Shape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "double" | "boolean" | "timestamp";
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
}

export interface Model {
  metadata: { apiVersion: string; targetPrefix: string; signingName: string };
  operations: Record<string, { input?: string; output?: string; errors?: string[] }>;
  shapes: Record<string, Shape>;
}

/**
 * Imported, not read from beside this file: esbuild inlines it into every function's bundle, which
 * is deployed with nothing else beside it (a read at run time threw ENOENT at every Lambda init).
 */
export const ecsModel = model as unknown as Model;

/** Application Auto Scaling's model (trimmed the same way), for the actions Berth answers for ECS services. */
export const autoScalingModel = autoScaling as unknown as Model;

/** CloudWatch's model, trimmed to the alarm operations Berth answers (for its step scaling policies). */
export const cloudWatchModel = cloudWatch as unknown as Model;

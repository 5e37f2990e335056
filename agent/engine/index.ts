export { containerSpec, type SpecOptions, UnsupportedTaskError } from "./containerSpec.ts";
export { createTaskEngine, type TaskEngineDeps } from "./engine.ts";
export { dockerName, ecsLabels, LABELS } from "./naming.ts";
export { type Condition, type ContainerView, type Dependencies, evaluate, nextStep, type Step } from "./nextStep.ts";
export { STEPS } from "./steps.ts";
export * from "./types.ts";

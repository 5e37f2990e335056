// Filled in by the containerInstances work.
export {};

// Filled in by the taskDefinitions work.
export {};

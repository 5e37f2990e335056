// Filled in by the agent work.
export {};

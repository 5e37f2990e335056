// Filled in by the tags work.
export {};

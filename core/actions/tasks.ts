// Filled in by the tasks work.
export {};

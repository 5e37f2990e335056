// Filled in by the attributes work.
export {};

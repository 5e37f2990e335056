#!/usr/bin/env node
// Runs Berth's TypeScript sources directly: tsx compiles them on load, so there is no build step.
import { register } from "tsx/esm/api";

register();
await import("../local/cli.ts");

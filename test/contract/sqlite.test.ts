import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openSqliteStore } from "../../core/store/sqlite.ts";
import { runStoreContract } from "./store.contract.ts";

runStoreContract("SQLite in memory", () => openSqliteStore(":memory:"));

const dir = mkdtempSync(join(tmpdir(), "berth-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
// A new file (in a directory that does not exist yet) for each case.
runStoreContract("SQLite file", () => openSqliteStore(join(dir, `db${++n}`, "berth.sqlite")));

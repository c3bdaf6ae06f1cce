// Child process: on the parent's signal, migrate a database (a SQLite path or a PostgreSQL
// URL) and open a store on it; prints the migrations this process applied as JSON.
import { resolveDatabase } from "../../thaw-paths.ts";
import { migrate } from "../../migrate.ts";
import { migratePostgresql } from "../../migrate-postgresql.ts";
import { openStore } from "../../open-store.ts";
import { readyThenWaitForGo } from "../child.ts";

const [location] = process.argv.slice(2);
const target = resolveDatabase(location);
await readyThenWaitForGo();
const applied = target.provider === "sqlite" ? migrate(target.path) : await migratePostgresql(target.url);
const store = await openStore({ path: location });
await store.ensureExperiment("shared");
await store.close();
process.stdout.write(JSON.stringify({ applied }) + "\n");

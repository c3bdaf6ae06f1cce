// Child process: on the parent's signal, migrate a database and open a store on it; prints
// the migrations this process applied as JSON.
import { migrate } from "../../migrate.ts";
import { openStore } from "../../open-store.ts";
import { readyThenWaitForGo } from "../child.ts";

const [dbPath] = process.argv.slice(2);
await readyThenWaitForGo();
const applied = migrate(dbPath);
const store = await openStore({ path: dbPath });
await store.ensureExperiment("shared");
await store.close();
process.stdout.write(JSON.stringify({ applied }) + "\n");

// Prisma CLI settings. Thaw itself never reads this file: @thaw/tracking opens the database
// and applies the migrations on its own. It exists so that `prisma migrate status`,
// `prisma migrate deploy` and `prisma studio` (where Prisma's engine can be downloaded) look
// at the same database the app uses, found by the app's own resolver: env THAW_DB, else
// thaw.db in THAW_HOME (default .thaw in the working folder). A PostgreSQL THAW_DB uses the
// PostgreSQL twin of the schema (written by `npm run generate`) and its own migration history.
import { defineConfig } from "prisma/config";
import { thawLocations } from "./libs/tracking/src/lib/thaw-paths.ts";

const { database } = thawLocations();

export default defineConfig(
  database.provider === "postgresql"
    ? {
        schema: "node_modules/.cache/thaw-prisma/schema.postgresql.prisma",
        migrations: { path: "prisma/migrations-postgresql" },
        datasource: { url: database.url },
      }
    : {
        schema: "prisma/schema.prisma",
        migrations: { path: "prisma/migrations" },
        datasource: { url: `file:${database.path}` },
      },
);

// Prisma CLI settings. Thaw itself never reads this file: @thaw/tracking opens the database
// and applies the migrations on its own. It exists so that `prisma migrate status`,
// `prisma migrate deploy` and `prisma studio` (where Prisma's engine can be downloaded) look
// at the same database the app uses: env THAW_DB, else .thaw/thaw.db in the working folder.
// A PostgreSQL THAW_DB uses the PostgreSQL twin of the schema (written by `npm run generate`)
// and its own migration history.
import path from "node:path";
import { defineConfig } from "prisma/config";

const db = process.env.THAW_DB?.trim();
const postgresql = db !== undefined && /^postgres(ql)?:\/\//i.test(db);

export default defineConfig(
  postgresql
    ? {
        schema: "node_modules/.cache/thaw-prisma/schema.postgresql.prisma",
        migrations: { path: "prisma/migrations-postgresql" },
        datasource: { url: db },
      }
    : {
        schema: "prisma/schema.prisma",
        migrations: { path: "prisma/migrations" },
        datasource: { url: `file:${path.resolve((db || path.join(".thaw", "thaw.db")).replace(/^file:/, ""))}` },
      },
);

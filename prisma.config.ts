// Prisma CLI settings. Thaw itself never reads this file: @thaw/tracking opens the database
// and applies prisma/migrations on its own. It exists so that `prisma migrate status`,
// `prisma migrate deploy` and `prisma studio` (where Prisma's engine can be downloaded) look
// at the same database the app uses, found by the app's own resolver: env THAW_DB, else
// thaw.db in THAW_HOME (default .thaw in the working folder).
import { defineConfig } from "prisma/config";
import { thawLocations } from "./libs/tracking/src/lib/thaw-paths.ts";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: `file:${thawLocations().db}` },
});

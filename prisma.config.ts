// Prisma CLI settings. Thaw itself never reads this file: @thaw/tracking opens the database
// and applies prisma/migrations on its own. It exists so that `prisma migrate status`,
// `prisma migrate deploy` and `prisma studio` (where Prisma's engine can be downloaded) look
// at the same database the app uses: env THAW_DB, else .thaw/thaw.db in the working folder.
import path from "node:path";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: `file:${path.resolve(process.env.THAW_DB ?? path.join(".thaw", "thaw.db"))}` },
});

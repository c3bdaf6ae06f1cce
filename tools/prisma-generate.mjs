// Runs `prisma generate` without a network. Prisma 7's CLI looks for its native schema
// engine at start-up and downloads it when missing, although `generate` never uses it;
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const schema = path.join(root, "prisma", "schema.prisma");
if (!existsSync(schema)) {
  console.log("prisma-generate: no prisma/schema.prisma yet, nothing to generate");
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "prisma", "build", "index.js"), "generate", "--schema", schema],
  { cwd: root, env, stdio: "inherit" },
);
process.exit(result.status ?? 1);

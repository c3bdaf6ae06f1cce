// Runs `prisma generate` without a network, for both providers. Prisma 7's CLI looks for its
// native schema engine at start-up and downloads it when missing, although `generate` never
// uses it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download.
// prisma/schema.prisma (SQLite) is the one source; a generated client is bound to one
// provider, so the PostgreSQL client is generated from a copy that differs only in the
// datasource provider and the output folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
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

function generate(schemaFile) {
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules", "prisma", "build", "index.js"), "generate", "--schema", schemaFile],
    { cwd: root, env, stdio: "inherit" },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The PostgreSQL twin of schema.prisma; fails loudly if the lines it rewrites have moved. */
function postgresqlSchema(source, outputDir) {
  const provider = /provider\s*=\s*"sqlite"/;
  const output = /output\s*=\s*"[^"]*"/;
  if (!provider.test(source) || !output.test(source)) {
    throw new Error('prisma-generate: schema.prisma must keep `provider = "sqlite"` and an `output = "..."` line');
  }
  return source.replace(provider, 'provider = "postgresql"').replace(output, `output = ${JSON.stringify(outputDir)}`);
}

generate(schema);
const derivedDir = path.join(root, "node_modules", ".cache", "thaw-prisma");
mkdirSync(derivedDir, { recursive: true });
const derived = path.join(derivedDir, "schema.postgresql.prisma");
const pgOutput = path.join(root, "libs", "tracking", "src", "generated", "prisma-postgresql");
writeFileSync(derived, postgresqlSchema(readFileSync(schema, "utf8"), pgOutput.split(path.sep).join("/")));
generate(derived);

// Test support: reads back what a migration history built, as provider-neutral facts (tables,
// columns with a Prisma-level type, nullability and default, indexes, foreign keys), so the
// SQLite and PostgreSQL histories can be compared with each other.
import Database from "better-sqlite3";
import pg from "pg";

export interface ColumnFact { name: string; type: string; nullable: boolean; hasDefault: boolean }
export interface IndexFact { name: string; columns: string[]; unique: boolean }
export interface ForeignKeyFact { columns: string[]; table: string; references: string[]; onDelete: string }
export interface TableFact { columns: ColumnFact[]; indexes: IndexFact[]; foreignKeys: ForeignKeyFact[] }
export type SchemaFacts = Record<string, TableFact>;

const SQLITE_TYPES: Record<string, string> = { INTEGER: "Int", BIGINT: "BigInt", TEXT: "String", REAL: "Float", BOOLEAN: "Boolean", DATETIME: "DateTime", JSONB: "Json" };
const PG_TYPES: Record<string, string> = {
  integer: "Int",
  bigint: "BigInt",
  text: "String",
  "double precision": "Float",
  boolean: "Boolean",
  "timestamp without time zone": "DateTime",
  jsonb: "Json",
  // Prisma enums: TEXT on SQLite, a native enum type on PostgreSQL.
  "USER-DEFINED": "String",
};
const PG_ON_DELETE: Record<string, string> = { c: "CASCADE", n: "SET NULL", r: "RESTRICT", a: "NO ACTION", d: "SET DEFAULT" };
const HIDDEN = new Set(["_prisma_migrations", "sqlite_sequence"]);

function known(map: Record<string, string>, type: string, where: string): string {
  const mapped = map[type];
  if (!mapped) throw new Error(`introspect: no Prisma type known for ${type} (${where}); extend the map in testing/introspect.ts`);
  return mapped;
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
const byColumns = (a: ForeignKeyFact, b: ForeignKeyFact) => a.columns.join().localeCompare(b.columns.join());

export function sqliteFacts(dbPath: string): SchemaFacts {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
      .map((row) => row.name)
      .filter((name) => !HIDDEN.has(name));
    return Object.fromEntries(
      tables.map((table) => {
        const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null }[]).map((c) => ({
          name: c.name,
          type: known(SQLITE_TYPES, c.type, `${table}.${c.name}`),
          nullable: c.notnull === 0,
          hasDefault: c.dflt_value !== null,
        }));
        const indexes = (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string }[])
          .filter((index) => index.origin === "c")
          .map((index) => ({
            name: index.name,
            unique: index.unique === 1,
            columns: (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((row) => row.name),
          }))
          .sort(byName);
        const fkRows = db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { id: number; table: string; from: string; to: string; on_delete: string }[];
        const foreignKeys = [...new Set(fkRows.map((row) => row.id))]
          .map((id) => fkRows.filter((row) => row.id === id))
          .map((rows) => ({ columns: rows.map((r) => r.from), table: rows[0].table, references: rows.map((r) => r.to), onDelete: rows[0].on_delete }))
          .sort(byColumns);
        return [table, { columns: columns.sort(byName), indexes, foreignKeys }];
      }),
    );
  } finally {
    db.close();
  }
}

function indexColumns(definition: string): string[] {
  const inside = /\((.*)\)\s*$/.exec(definition)?.[1] ?? "";
  return inside.split(",").map((part) => part.trim().replace(/^"|"$/g, ""));
}

export async function postgresqlFacts(url: string): Promise<SchemaFacts> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columnRows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const { rows: indexRows } = await client.query<{ tablename: string; indexname: string; indexdef: string }>(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
    );
    const { rows: fkRows } = await client.query<{ tbl: string; cols: string[]; ref: string; refcols: string[]; deltype: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS ref, c.confdeltype AS deltype,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
              ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcols
       FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
       WHERE c.contype = 'f' AND ns.nspname = current_schema()`,
    );
    const unquote = (name: string) => name.replace(/^"|"$/g, "");
    const tables = [...new Set(columnRows.map((row) => row.table_name))].filter((name) => !HIDDEN.has(name)).sort();
    return Object.fromEntries(
      tables.map((table) => {
        const columns = columnRows
          .filter((row) => row.table_name === table)
          .map((row) => ({
            name: row.column_name,
            type: known(PG_TYPES, row.data_type, `${table}.${row.column_name}`),
            nullable: row.is_nullable === "YES",
            // SERIAL's sequence is SQLite's AUTOINCREMENT, not a default.
            hasDefault: row.column_default !== null && !row.column_default.startsWith("nextval("),
          }))
          .sort(byName);
        const indexes = indexRows
          .filter((row) => row.tablename === table && row.indexname !== `${table}_pkey`)
          .map((row) => ({ name: row.indexname, unique: /^CREATE UNIQUE INDEX/.test(row.indexdef), columns: indexColumns(row.indexdef) }))
          .sort(byName);
        const foreignKeys = fkRows
          .filter((row) => unquote(row.tbl) === table)
          .map((row) => ({ columns: row.cols, table: unquote(row.ref), references: row.refcols, onDelete: PG_ON_DELETE[row.deltype] }))
          .sort(byColumns);
        return [table, { columns, indexes, foreignKeys }];
      }),
    );
  } finally {
    await client.end();
  }
}

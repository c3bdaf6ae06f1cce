// A small reader of prisma/schema.prisma for the migrations test: models, scalar fields,
// indexes, uniques and relations, with the names and SQLite types Prisma would give them.
// It understands the subset of the language our schema uses and fails loudly on the rest.

export interface SchemaField {
  name: string;
  type: string;
  optional: boolean;
  isId: boolean;
  hasDefault: boolean;
  isAutoincrement: boolean;
}

export interface SchemaIndex {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface SchemaForeignKey {
  name: string;
  columns: string[];
  table: string;
  references: string[];
  onDelete: string;
}

export interface SchemaModel {
  name: string;
  fields: SchemaField[];
  indexes: SchemaIndex[];
  foreignKeys: SchemaForeignKey[];
}

const SQLITE_TYPES: Record<string, string> = {
  Int: "INTEGER",
  BigInt: "BIGINT",
  String: "TEXT",
  Float: "REAL",
  Boolean: "BOOLEAN",
  DateTime: "DATETIME",
  Json: "JSONB",
};

const ON_DELETE_SQL: Record<string, string> = { Cascade: "CASCADE", SetNull: "SET NULL", Restrict: "RESTRICT", NoAction: "NO ACTION", SetDefault: "SET DEFAULT" };

/** The SQLite column type Prisma uses for a scalar or enum field type. */
export function sqliteType(type: string, enums: ReadonlySet<string>): string {
  if (enums.has(type)) return "TEXT";
  const mapped = SQLITE_TYPES[type];
  if (!mapped) throw new Error(`prisma-schema: no SQLite type known for ${type}`);
  return mapped;
}

function blocks(source: string, keyword: string): { name: string; body: string[] }[] {
  // Comments go first: doc comments may hold braces, e.g. "{ path, reason }".
  const code = source.replace(/\/\/.*$/gm, "");
  const pattern = new RegExp(`^${keyword}\\s+(\\w+)\\s*\\{([^}]*)\\}`, "gm");
  return [...code.matchAll(pattern)].map((match) => ({
    name: match[1],
    body: match[2]
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
  }));
}

function list(text: string): string[] {
  return text.split(",").map((part) => part.trim()).filter(Boolean);
}

export function parsePrismaSchema(source: string): { models: SchemaModel[]; enums: Set<string> } {
  const enums = new Set(blocks(source, "enum").map((block) => block.name));
  const modelNames = new Set(blocks(source, "model").map((block) => block.name));
  const models = blocks(source, "model").map(({ name: model, body }) => {
    const fields: SchemaField[] = [];
    const indexes: SchemaIndex[] = [];
    const foreignKeys: SchemaForeignKey[] = [];
    for (const line of body) {
      const blockAttr = line.match(/^@@(index|unique)\(\[([^\]]*)\]/);
      if (blockAttr) {
        const columns = list(blockAttr[2]);
        const unique = blockAttr[1] === "unique";
        indexes.push({ name: `${model}_${columns.join("_")}_${unique ? "key" : "idx"}`, columns, unique });
        continue;
      }
      if (line.startsWith("@@")) throw new Error(`prisma-schema: unsupported block attribute in ${model}: ${line}`);
      const field = line.match(/^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/);
      if (!field) throw new Error(`prisma-schema: cannot read line in ${model}: ${line}`);
      const [, name, type, modifier, attributes] = field;
      if (modelNames.has(type)) {
        const relation = attributes.match(/@relation\(([^)]*)\)/);
        const fieldsMatch = relation?.[1].match(/fields:\s*\[([^\]]*)\]/);
        if (!relation || !fieldsMatch) continue; // the back side of a relation has no column
        const references = list(relation[1].match(/references:\s*\[([^\]]*)\]/)?.[1] ?? "");
        const columns = list(fieldsMatch[1]);
        const explicit = relation[1].match(/onDelete:\s*(\w+)/)?.[1];
        // Prisma's default: Restrict for a required relation, SetNull for an optional one.
        const onDelete = explicit ?? (modifier === "?" ? "SetNull" : "Restrict");
        foreignKeys.push({ name: `${model}_${columns.join("_")}_fkey`, columns, table: type, references, onDelete: ON_DELETE_SQL[onDelete] });
        continue;
      }
      if (modifier === "[]") throw new Error(`prisma-schema: scalar lists are not supported on SQLite (${model}.${name})`);
      fields.push({
        name,
        type,
        optional: modifier === "?",
        isId: /@id\b/.test(attributes),
        hasDefault: /@default\(/.test(attributes),
        isAutoincrement: /@default\(autoincrement\(\)\)/.test(attributes),
      });
      if (/@unique\b/.test(attributes)) indexes.push({ name: `${model}_${name}_key`, columns: [name], unique: true });
    }
    return { name: model, fields, indexes, foreignKeys };
  });
  return { models, enums };
}

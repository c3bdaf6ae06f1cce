#!/usr/bin/env node
// Enforces the module boundaries of the workspace (apps -> libs; vgg and data independent;
// tracking free of TensorFlow; no deep imports into a lib's internals; no app imports
// another app). Exits 1 with one line per violation. Usage: check-boundaries.mjs [projectRoot...]
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const workspaceRoot = process.env.THAW_BOUNDARIES_ROOT ?? path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Which @thaw libs each scope may import. */
const allowedLibs = {
  tracking: [],
  data: [],
  vgg: [],
  // The planner decides whether a run can run, for both apps: it reads the data folder, the
  // store and the model's limits, so it is the one lib that sees the three others.
  planner: ["data", "vgg", "tracking"],
  trainer: ["data", "vgg", "tracking", "planner"],
  dashboard: ["data", "vgg", "tracking", "planner"],
};
/** External packages a scope must never import. */
const forbiddenPackages = {
  tracking: [/^@tensorflow\//, /^onnxruntime/, /^sharp$/, /^h5wasm/],
  data: [/^@tensorflow\//, /^onnxruntime/],
  // It asks @thaw/vgg about the model; it never builds or runs one itself.
  planner: [/^@tensorflow\//, /^onnxruntime/, /^sharp$/, /^h5wasm/],
};

function projects() {
  const found = [];
  for (const group of ["apps", "libs"]) {
    const dir = path.join(workspaceRoot, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name, "project.json");
      if (!existsSync(file)) continue;
      const project = JSON.parse(readFileSync(file, "utf8"));
      const scope = (project.tags ?? []).find((t) => t.startsWith("scope:"))?.slice(6);
      const type = (project.tags ?? []).find((t) => t.startsWith("type:"))?.slice(5);
      found.push({ root: path.join(dir, name), scope, type, name: project.name });
    }
  }
  return found;
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === ".next" || entry === "generated" || entry.startsWith(".")) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) out.push(full);
  }
  return out;
}

const importPattern = /(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

export function checkProject(project, all) {
  const violations = [];
  if (!project.scope || !project.type) {
    return [`${project.root}: project.json needs tags "type:app|lib" and "scope:<name>"`];
  }
  for (const file of sourceFiles(project.root)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(importPattern)) {
      const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
      const where = `${path.relative(workspaceRoot, file)}: import "${spec}"`;
      if (spec.startsWith("@thaw/")) {
        const [, name, ...rest] = spec.split("/");
        if (rest.length > 0) violations.push(`${where} reaches into a lib's internals; import from "@thaw/${name}"`);
        const target = all.find((p) => p.scope === name);
        if (target?.type === "app") violations.push(`${where}: apps must not be imported`);
        else if (name !== project.scope && !(allowedLibs[project.scope] ?? []).includes(name)) {
          violations.push(`${where}: scope:${project.scope} may not depend on scope:${name}`);
        }
      } else if (spec.startsWith(".")) {
        const resolved = path.resolve(path.dirname(file), spec);
        if (!resolved.startsWith(project.root + path.sep) && resolved !== project.root) {
          const other = all.find((p) => resolved.startsWith(p.root + path.sep));
          violations.push(`${where} leaves ${path.relative(workspaceRoot, project.root)}${other ? ` into ${path.relative(workspaceRoot, other.root)}` : ""}; import the lib by its name`);
        }
      } else {
        for (const banned of forbiddenPackages[project.scope] ?? []) {
          if (banned.test(spec)) violations.push(`${where}: scope:${project.scope} must not depend on ${spec}`);
        }
      }
    }
  }
  return violations;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const all = projects();
  const wanted = process.argv.slice(2).map((p) => path.resolve(workspaceRoot, p));
  const selected = wanted.length ? all.filter((p) => wanted.includes(p.root)) : all;
  const violations = selected.flatMap((p) => checkProject(p, all));
  if (violations.length) {
    console.error(`Module boundary violations (${violations.length}):\n` + violations.map((v) => `  ${v}`).join("\n"));
    process.exit(1);
  }
  console.log(`module boundaries ok: ${selected.map((p) => p.name).join(", ")}`);
}

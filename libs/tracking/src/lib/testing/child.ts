// Helpers for tests that need other processes: scripts from ./child-scripts run under tsx.
// runTogether() starts several, waits until each has printed "ready" (start-up under tsx can
// take seconds on a busy machine), then releases them at once by writing "go" to their stdin.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export function spawnChild(script: string, args: string[]): ChildProcessWithoutNullStreams {
  const file = fileURLToPath(new URL(`./child-scripts/${script}`, import.meta.url));
  return spawn(process.execPath, ["--import", "tsx", file, ...args], { stdio: ["pipe", "pipe", "pipe"] });
}

export interface ChildResult {
  code: number | null;
  /** Lines printed after "ready". */
  lines: string[];
  stderr: string;
}

export async function runTogether(script: string, argsPerChild: string[][]): Promise<ChildResult[]> {
  const children = argsPerChild.map((args) => {
    const child = spawnChild(script, args);
    const result: ChildResult = { code: null, lines: [], stderr: "" };
    child.stderr.on("data", (chunk: Buffer) => (result.stderr += chunk.toString()));
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    createInterface({ input: child.stdout }).on("line", (line) => (line === "ready" ? markReady() : result.lines.push(line)));
    const closed = once(child, "close").then(([code]) => {
      result.code = code as number | null;
      markReady();
    });
    return { child, result, ready, closed };
  });
  await Promise.all(children.map((entry) => entry.ready));
  for (const { child } of children) child.stdin.end("go\n");
  await Promise.all(children.map((entry) => entry.closed));
  return children.map((entry) => entry.result);
}

/** In a child: announce readiness, then wait for the parent's "go". */
export async function readyThenWaitForGo(): Promise<void> {
  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin });
  await once(lines, "line");
  lines.close();
}

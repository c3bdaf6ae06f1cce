// One fill per cache folder: the first process that misses an entry takes `fill.lock` and
// computes; another process missing entries while that lock is live waits for them to appear
// instead of computing them a second time. A lock whose process died (same host) or that has
// not been refreshed for STALE_MS (another host) is taken over.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onExit, processAlive } from "./cache-folders.ts";

const LOCK = "fill.lock";
/** A filler refreshes the lock with every entry it writes; this long without one means it died. */
export const STALE_MS = 120_000;
const POLL_MS = 100;

interface LockBody {
  pid: number;
  host: string;
  token: string;
}

const HOST = os.hostname();

export class FillLock {
  private readonly file: string;
  private readonly token = crypto.randomBytes(8).toString("hex");
  private held = false;

  constructor(dir: string) {
    this.file = path.join(dir, LOCK);
  }

  /** True when this process fills the folder (it holds, or has just taken, the lock). */
  tryTake(): boolean {
    if (this.held) return true;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.file, JSON.stringify({ pid: process.pid, host: HOST, token: this.token } satisfies LockBody), { flag: "wx" });
        this.held = true;
        onExit(() => this.release());
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        if (this.othersLive()) return false;
        // Dead or stale: remove it and try once more (another waiter may win the race).
        fs.rmSync(this.file, { force: true });
      }
    }
    return false;
  }

  /** Whether another process holds a live lock. */
  othersLive(): boolean {
    let body: LockBody;
    let mtimeMs: number;
    try {
      body = JSON.parse(fs.readFileSync(this.file, "utf8")) as LockBody;
      mtimeMs = fs.statSync(this.file).mtimeMs;
    } catch {
      return false;
    }
    if (body.token === this.token) return false;
    if (body.host === HOST && !processAlive(body.pid)) return false;
    return Date.now() - mtimeMs < STALE_MS;
  }

  /** The filler shows it is alive with every entry it writes. */
  refresh(): void {
    if (!this.held) return;
    const now = new Date();
    try {
      fs.utimesSync(this.file, now, now);
    } catch {
      this.held = false;
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      const body = JSON.parse(fs.readFileSync(this.file, "utf8")) as LockBody;
      if (body.token === this.token) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }

  /** Waits for `file` to appear while another process fills; false when this process must compute it. */
  async waitFor(file: string): Promise<boolean> {
    while (this.othersLive()) {
      if (fs.existsSync(file)) return true;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return fs.existsSync(file);
  }
}

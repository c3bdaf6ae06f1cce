import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeightsChecksumError, WeightsNotFoundError } from "../errors.ts";
import { ensureWeightFile, fetchWeights, weightSearchDirs } from "./weights-locator.ts";

const payload = crypto.randomBytes(300_000);
const md5 = crypto.createHash("md5").update(payload).digest("hex");
let server: http.Server;
let baseUrl: string;
let closedUrl: string;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "thaw-weights-"));
}

function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  return new Promise((resolve) => {
    const s = http.createServer(handler);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      resolve({ server: s, url: `http://127.0.0.1:${port}/` });
    });
  });
}

beforeAll(async () => {
  ({ server, url: baseUrl } = await listen((req, res) => {
    if (req.url === "/good.h5") res.end(payload);
    else if (req.url === "/damaged.h5") res.end(payload.subarray(1));
    else res.writeHead(404).end();
  }));
  const closed = await listen(() => undefined);
  closedUrl = closed.url;
  await new Promise((r) => closed.server.close(r));
});

afterAll(() => new Promise((r) => server.close(r)));

describe("weights locator", () => {
  it("searches THAW_WEIGHTS_DIR before ~/.keras/models", () => {
    expect(weightSearchDirs({ env: { THAW_WEIGHTS_DIR: "/w" }, homeDir: "/h" })).toEqual(["/w", "/h/.keras/models"]);
    expect(weightSearchDirs({ env: {}, homeDir: "/h" })).toEqual(["/h/.keras/models"]);
  });

  it("uses a copy in ~/.keras/models whose MD5 matches without downloading", async () => {
    const home = tmpDir();
    const kerasDir = path.join(home, ".keras", "models");
    fs.mkdirSync(kerasDir, { recursive: true });
    fs.writeFileSync(path.join(kerasDir, "good.h5"), payload);
    const found = await ensureWeightFile({ file: "good.h5", md5 }, { env: { THAW_WEIGHTS_DIR: tmpDir() }, homeDir: home, baseUrl: closedUrl });
    expect(found).toBe(path.join(kerasDir, "good.h5"));
  });

  it("downloads a missing file into THAW_WEIGHTS_DIR and keeps it only when the MD5 matches", async () => {
    const dir = tmpDir();
    const options = { env: { THAW_WEIGHTS_DIR: dir }, homeDir: tmpDir(), baseUrl };
    const got = await ensureWeightFile({ file: "good.h5", md5 }, options);
    expect(got).toBe(path.join(dir, "good.h5"));
    expect(fs.readFileSync(got).equals(payload)).toBe(true);

    await expect(ensureWeightFile({ file: "damaged.h5", md5 }, options)).rejects.toThrow(WeightsChecksumError);
    await expect(ensureWeightFile({ file: "damaged.h5", md5 }, options)).rejects.toThrow(`damaged.h5 downloaded with MD5`);
    expect(fs.readdirSync(dir)).toEqual(["good.h5"]);
  });

  it("replaces a damaged local copy with a good download", async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "good.h5"), "truncated");
    const got = await ensureWeightFile({ file: "good.h5", md5 }, { env: { THAW_WEIGHTS_DIR: dir }, homeDir: tmpDir(), baseUrl });
    expect(fs.readFileSync(got).equals(payload)).toBe(true);
  });

  it("without a network names the file, the URL and where to put it", async () => {
    const dir = tmpDir();
    const home = tmpDir();
    const attempt = fetchWeights({ includeTop: false, env: { THAW_WEIGHTS_DIR: dir }, homeDir: home, baseUrl: closedUrl });
    await expect(attempt).rejects.toThrow(WeightsNotFoundError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toContain("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 is not in");
    expect(message).toContain(`${closedUrl}vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`);
    expect(message).toContain(`put it in ${dir}`);
    expect(message).toContain("ECONNREFUSED");
  });
});

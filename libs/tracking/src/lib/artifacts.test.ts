import path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactPath, artifactRoot, artifactRootPath, artifactUri } from "./artifacts.ts";
import { InvalidInputError } from "./errors.ts";

describe("artifacts", () => {
  it("roots at THAW_ARTIFACTS (file:// URL or folder), else at THAW_HOME", () => {
    expect(artifactRoot(undefined, "/home/a/.thaw").href).toBe("file:///home/a/.thaw/");
    expect(artifactRoot("", "/h").href).toBe("file:///h/");
    expect(artifactRoot("file:///mnt/shared", "/h").href).toBe("file:///mnt/shared/");
    expect(artifactRoot("/mnt/shared/", "/h").href).toBe("file:///mnt/shared/");
    expect(artifactRootPath(artifactRoot("file:///mnt/with%20space", "/h"))).toBe("/mnt/with space/");
  });

  it("records file:// URIs and reads them, and plain paths of older rows, back as local paths", () => {
    const uri = artifactUri("/mnt/shared/checkpoints/run-3/epoch-2");
    expect(uri).toBe("file:///mnt/shared/checkpoints/run-3/epoch-2");
    expect(artifactPath(uri)).toBe("/mnt/shared/checkpoints/run-3/epoch-2");
    expect(artifactPath(artifactUri("/a b/c#d"))).toBe("/a b/c#d");
    expect(artifactPath("/old/absolute/path")).toBe("/old/absolute/path");
    expect(artifactPath("relative/dir")).toBe(path.resolve("relative/dir"));
  });

  it("refuses schemes it cannot serve yet, naming what works", () => {
    expect(() => artifactRoot("s3://bucket/thaw", "/h")).toThrow(InvalidInputError);
    expect(() => artifactRoot("s3://bucket/thaw", "/h")).toThrow(
      'Invalid THAW_ARTIFACTS: the scheme "s3:" is not supported yet; use a file:// URL or an absolute folder path on a mount every host shares, such as file:///mnt/thaw-artifacts.',
    );
    expect(() => artifactPath("s3://bucket/thaw/checkpoints/run-1")).toThrow(/uses the scheme "s3:", which this version of Thaw cannot read/);
  });
});

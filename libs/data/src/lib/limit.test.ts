import { describe, expect, it } from "vitest";
import { createLimiter } from "./limit.ts";

describe("createLimiter", () => {
  it("runs at most n tasks at once, starting them in order, and passes results and errors through", async () => {
    const limit = createLimiter(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        limit(async () => {
          started.push(i);
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3) * 5));
          running--;
          if (i === 4) throw new Error("task 4 failed");
          return i * 10;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 30, "task 4 failed", 50, 60, 70, 80, 90]);
  });
});

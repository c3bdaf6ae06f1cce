/**
 * Runs at most `n` async tasks at once; the rest wait in FIFO order. Bounds how many decoded
 * full-size images exist at a time (a 12-megapixel photo is 36 MB raw) while keeping sharp's
 * threads busy.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(n: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

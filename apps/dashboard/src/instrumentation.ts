// Runs once when the server starts: the environment is parsed here so that a bad value stops
// `next start` with its name, instead of failing the first request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./server/env.ts");
  env();
}

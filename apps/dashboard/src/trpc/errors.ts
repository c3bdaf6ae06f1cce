// Reading a tRPC error in a component: its sentence and zod's field errors.
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../server/api/root.ts";

export function fieldErrors(error: unknown): Record<string, string[] | undefined> {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    return data?.zodError?.fieldErrors ?? {};
  }
  return {};
}

/** One sentence for the user; zod's raw JSON is replaced by its first field message. */
export function errorMessage(error: unknown): string {
  if (!error) return "";
  const fields = Object.entries(fieldErrors(error));
  if (fields.length > 0) return `Check the form: ${fields.map(([k, v]) => `${k}: ${v?.[0] ?? "invalid"}`).join("; ")}`;
  return error instanceof Error ? error.message : String(error);
}

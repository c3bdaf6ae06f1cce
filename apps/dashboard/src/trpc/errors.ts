// Reading a tRPC error in a component: its sentence and its field errors.
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../server/api/root.ts";

export function fieldErrors(error: unknown): Record<string, string[] | undefined> {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    return data?.fieldErrors ?? {};
  }
  return {};
}

/** One sentence for the user; zod's raw JSON is replaced by its first field message. */
export function errorMessage(error: unknown): string {
  if (!error) return "";
  const fields = Object.entries(fieldErrors(error));
  // A single refusal is its own sentence; zod's several are listed by field.
  if (fields.length === 1 && error instanceof Error && fields[0][1]?.[0] === error.message) return error.message;
  if (fields.length > 0) return `Check the form: ${fields.map(([k, v]) => `${k}: ${v?.[0] ?? "invalid"}`).join("; ")}`;
  return error instanceof Error ? error.message : String(error);
}

"use client";
// A labelled form field with its zod error beneath it.
import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";

export function Field({ label, name, errors, hint, children }: { label: string; name: string; errors: Record<string, string[] | undefined>; hint?: string; children: ReactNode }) {
  const message = errors[name]?.[0];
  const child = Children.only(children);
  const control = isValidElement(child)
    ? cloneElement(child as ReactElement<{ name?: string; className?: string; "aria-invalid"?: boolean }>, { name, className: message ? "invalid" : undefined, "aria-invalid": !!message })
    : child;
  return (
    <label className="field">
      {label}
      {hint && <span className="hint">{hint}</span>}
      {control}
      {message && (
        <span className="field-error" data-field-error={name}>
          {message}
        </span>
      )}
    </label>
  );
}

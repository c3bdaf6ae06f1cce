// The planner's one error: a run (or a sweep) that cannot run, refused before anything is
// queued. It names the input it is about, so that a form shows it beside that field and the
// CLI prints the same sentence.

/** The inputs of a plan a refusal can be about (the dashboard's form fields). */
export type PlanField = "data" | "base" | "head" | "imageSize" | "widthMultiplier" | "dropout" | "frozenLayers";

export class PlanRefusal extends Error {
  override readonly name = "PlanRefusal";
  /** Bad input, as the tracking store's errors say it: tRPC's BAD_REQUEST, the CLI's exit 2. */
  readonly code = "BAD_REQUEST";
  constructor(
    readonly field: PlanField,
    message: string,
    /** For a sweep: the cells ("frozen 21 x lr 0.001") that cannot run. */
    readonly cells: string[] = [],
  ) {
    super(message);
  }
}

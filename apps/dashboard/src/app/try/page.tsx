import { env } from "../../server/env.ts";
import { TryView } from "./try-view.tsx";

// The upload limit comes from the server's environment at request time.
export const dynamic = "force-dynamic";

export default function TryPage() {
  return <TryView maxBytes={env().uploadMaxBytes} />;
}

import { notFound } from "next/navigation";
import { RunView } from "./run-view.tsx";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id < 1) notFound();
  return <RunView id={id} />;
}

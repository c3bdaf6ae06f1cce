import { RunsView } from "./runs-view.tsx";

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const experimentId = Number(params.experiment);
  return <RunsView initialExperimentId={Number.isInteger(experimentId) && experimentId > 0 ? experimentId : null} initialSweepId={params.sweep ?? null} />;
}

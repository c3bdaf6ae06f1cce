import { CompareView } from "./compare-view.tsx";

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const ids = (params.ids ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return <CompareView ids={ids} />;
}

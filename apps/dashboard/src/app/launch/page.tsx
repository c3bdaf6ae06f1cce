import { LaunchForm } from "./launch-form.tsx";

export default async function LaunchPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const clone = Number(params.clone);
  return <LaunchForm cloneOf={Number.isInteger(clone) && clone > 0 ? clone : null} />;
}

import { ModelsView } from "./models-view.tsx";

export default function ModelsPage() {
  return <ModelsView />;
}

import { useModels } from './use-models';

/** Model ids as people read them: the catalog's label, else the id itself. */
export function useModelLabels() {
  const models = useModels();
  function labelOf(modelId: string): string {
    return models.data.value?.find((model) => model.id === modelId)?.label ?? modelId;
  }
  return { labelOf, models };
}

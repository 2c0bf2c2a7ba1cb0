import { api } from '../api';
import { useResource } from './use-resource';

/** The landing page's gallery of published chatbots; `data` is null while the server has no publishing. */
export function useGallery() {
  const resource = useResource((signal) => api.onboarding.gallery(signal));
  return { ...resource, bots: resource.data };
}

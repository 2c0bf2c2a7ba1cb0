import type { HttpClient } from './http-client';
import { ApiError } from './http-client';

/** A chatbot its owner listed in the landing page's gallery (GET /api/public/gallery, issue 22). */
export interface GalleryBot {
  slug: string;
  name: string;
  description: string;
  avatarUrl: string | null;
}

export type PublicationMode = 'off' | 'link' | 'widget';

export interface OnboardingApi {
  /** The public gallery; null when this server has no publishing (the endpoint answers 404). */
  gallery(signal?: AbortSignal): Promise<GalleryBot[] | null>;
  /** A chatbot's publication mode; null when this server has no publishing (404). */
  publicationMode(chatbotId: string, signal?: AbortSignal): Promise<PublicationMode | null>;
}

async function orNullOn404<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** What the landing page and the getting-started guide read; both work before publishing exists. */
export function createOnboardingApi(http: HttpClient): OnboardingApi {
  return {
    gallery: async (signal) => {
      const bots = await orNullOn404(
        http.json<GalleryBot[]>('GET', '/api/public/gallery', undefined, { signal }),
      );
      return Array.isArray(bots) ? bots : null;
    },
    publicationMode: async (chatbotId, signal) => {
      const path = `/api/chatbots/${encodeURIComponent(chatbotId)}/publication`;
      const publication = await orNullOn404(
        http.json<{ mode?: PublicationMode }>('GET', path, undefined, { signal }),
      );
      return publication?.mode ?? null;
    },
  };
}

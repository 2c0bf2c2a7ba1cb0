import { createAccountApi, type AccountApi } from './account-api';
import { createAdminApi, type AdminApi } from './admin-api';
import { createChatApi, type ChatApi } from './chat-api';
import { createChatbotsApi, type ChatbotsApi } from './chatbots-api';
import { createHttpClient, type HttpClientOptions } from './http-client';
import { createModelsApi, type ModelsApi } from './models-api';
import { createOnboardingApi, type OnboardingApi } from './onboarding-api';
import { createProfileApi, type ProfileApi } from './profile-api';

export { ApiError, isAbortError, type FetchLike } from './http-client';

/** The only door to the network. Components and composables never call fetch themselves. */
export interface Api {
  account: AccountApi;
  chatbots: ChatbotsApi;
  models: ModelsApi;
  chat: ChatApi;
  profile: ProfileApi;
  admin: AdminApi;
  onboarding: OnboardingApi;
}

export function createApi(options: HttpClientOptions = {}): Api {
  const http = createHttpClient(options);
  return {
    account: createAccountApi(http),
    chatbots: createChatbotsApi(http),
    models: createModelsApi(http),
    chat: createChatApi(http),
    profile: createProfileApi(http),
    admin: createAdminApi(http),
    onboarding: createOnboardingApi(http),
  };
}

/** The app's instance: uses the global fetch at call time, so tests can stub the transport. */
export const api: Api = createApi();

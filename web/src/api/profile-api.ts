import type { HttpClient } from './http-client';

/** The account page's writes: better-auth's own endpoints (checked by our before-hook) and the export. */
export interface ProfileApi {
  rename(name: string): Promise<void>;
  changeEmail(input: { newEmail: string; currentPassword: string }): Promise<void>;
  changePassword(input: { currentPassword: string; newPassword: string }): Promise<void>;
  /** Ends every session of the account, this one included. */
  signOutEverywhere(): Promise<void>;
  deleteAccount(password: string): Promise<void>;
  /** The JSON export as a file to save. */
  exportData(): Promise<Blob>;
}

export function createProfileApi(http: HttpClient): ProfileApi {
  return {
    async rename(name) {
      await http.json('POST', '/api/auth/update-user', { name });
    },
    async changeEmail(input) {
      await http.json('POST', '/api/auth/change-email', input);
    },
    async changePassword(input) {
      await http.json('POST', '/api/auth/change-password', { ...input, revokeOtherSessions: true });
    },
    async signOutEverywhere() {
      await http.json('POST', '/api/auth/revoke-sessions', {});
    },
    async deleteAccount(password) {
      await http.json('POST', '/api/auth/delete-user', { password });
    },
    async exportData() {
      const response = await http.raw('GET', '/api/account/export');
      return response.blob();
    },
  };
}

import crypto from 'node:crypto';
import { z } from 'zod';

/** 256 random bits, URL-safe: the part of the invite link that lets someone in. */
export function newInviteCode(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the code (a leaked row signs nobody up). */
export function hashInviteCode(code: string): string {
  return crypto.createHash('sha256').update(code.trim()).digest('hex');
}

/** The link a person opens to sign up with the invite. */
export function inviteLink(appUrl: string, code: string): string {
  return `${appUrl.replace(/\/+$/, '')}/sign-up?invite=${encodeURIComponent(code)}`;
}

/** An invite code as a sign-up body carries it (the link's `invite` query parameter). */
export const inviteCode = z.string().trim().min(1).max(200);

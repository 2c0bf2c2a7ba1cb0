import { z } from 'zod';

const MAX_HOURS = 24 * 365;

export const createInviteBody = z
  .object({
    email: z
      .email('Enter an email address, or leave it empty for an invite anyone with the link can use.')
      .max(254)
      .nullish()
      .describe('Only this address may use the invite'),
    expiresInHours: z
      .number()
      .int('Choose a whole number of hours.')
      .min(1, 'An invite lasts at least 1 hour.')
      .max(MAX_HOURS, 'An invite lasts at most a year.')
      .nullable()
      .default(24 * 7)
      .describe('Hours until the link stops working (default 7 days); null: never expires'),
  })
  .strict();

export const inviteView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  status: z.enum(['open', 'used', 'expired']),
  usedAt: z.string().nullable(),
  usedEmail: z.string().nullable(),
});

export const createdInvite = inviteView.extend({
  code: z.string().describe('Shown once: only its hash is kept'),
  link: z.string().describe('The sign-up link to send (`/sign-up?invite=<code>`)'),
});

export const inviteIdParams = z.object({ id: z.string().min(1).max(100) });

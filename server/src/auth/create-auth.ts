import { betterAuth } from 'better-auth';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import {
  changeEmailBody,
  changePasswordBody,
  deleteUserBody,
  emptyBody,
  PASSWORD_MAX,
  PASSWORD_MIN,
  signInBody,
  signUpBody,
  updateUserBody,
} from '@app/common';
import type { Db } from '../db/database.js';
import * as schema from '../db/schema.js';
import { sqlStateIn } from '../db/sql-state.js';
import { InviteService } from '../services/invites/invite-service.js';
import { SignupGate, type SignupMode, type SignupRefusal } from '../services/invites/signup-gate.js';
import { inviteCode } from '../services/invites/invite-code.js';

/** The slice of pino's logger better-auth's lines go to (an object of safe fields, then a message). */
export interface AuthLogger {
  info?(message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface AuthOptions {
  db: Db;
  secret: string;
  baseUrl: string;
  trustedOrigins: string[];
  secureCookies: boolean;
  /** Where better-auth's own log lines go (the process logger); without it, one plain line on stderr. */
  logger?: AuthLogger;
  /** SIGNUP (default open). The first account on the instance may always sign up and becomes admin. */
  signup?: SignupMode;
}

/**
 * Bodies checked before better-auth runs the endpoint, keyed on the endpoint better-auth matched
 * (not on the request's URL, so no spelling of the path gets past them).
 */
const bodySchemas: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['/sign-up/email', signUpBody.extend({ inviteCode: inviteCode.optional() })],
  ['/sign-in/email', signInBody],
  ['/update-user', updateUserBody],
  ['/change-password', changePasswordBody],
  ['/change-email', changeEmailBody],
  ['/delete-user', deleteUserBody],
  ['/revoke-sessions', emptyBody],
  ['/revoke-other-sessions', emptyBody],
]);

/** better-auth: email + password, sessions in the DB, HTTP-only cookies, origin checks on. */
export function createAuth(options: AuthOptions) {
  const signup = new SignupGate({
    db: options.db,
    mode: options.signup ?? 'open',
    invites: new InviteService(options.db, { appUrl: options.baseUrl }),
    onFirstAccount: (email) =>
      options.logger?.info?.(`${email} is the administrator: first account on this instance`),
  });
  return betterAuth({
    database: drizzleAdapter(options.db, {
      provider: 'pg',
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
      },
    }),
    secret: options.secret,
    baseURL: options.baseUrl,
    basePath: '/api/auth',
    trustedOrigins: options.trustedOrigins,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      // Account enumeration: a sign-up answers the same for a new and an existing email (200,
      // `{token: null, user}`, no cookie; better-auth hashes the password either way), so it never
      // signs in; the client signs in next (docs/security.md, "Sign-up").
      autoSignIn: false,
    },
    user: {
      additionalFields: {
        // `input: false`: a sign-up body cannot make itself an admin.
        role: { type: 'string', required: false, defaultValue: 'user', input: false },
      },
      // No mail is sent by this app, so addresses are never verified: the change is made at once,
      // after the current password was checked (checkCurrentPassword below).
      changeEmail: { enabled: true, updateEmailWithoutVerification: true },
      // The password is required (deleteUserBody). Chatbots, conversations, messages, sessions and the
      // subscription go with the user (ON DELETE CASCADE); usage rows stay, anonymised (SET NULL).
      deleteUser: { enabled: true },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
      // No signed session_data cookie: better-auth would trust one without the database until it
      // expires, so a sign-out, a password change or a role change would not reach a replayed
      // cookie. Our session cache (auth/session-cache.ts) keeps the hot path off the database and
      // is dropped, on every instance, when a user's sessions change.
      cookieCache: { enabled: false },
    },
    databaseHooks: {
      user: {
        create: {
          // Only sign-up creates users: the invite is taken here, once the email is known to be new.
          before: async (_user, ctx) => {
            const body = (ctx?.body ?? {}) as { email?: string; inviteCode?: string };
            refuse(await signup.claim(body.email ?? _user.email, body.inviteCode));
          },
          after: async (created) => signup.created(created),
        },
      },
    },
    // Per-IP sign-up / sign-in limits live in http/plugins/rate-limit.ts (shared through Redis).
    rateLimit: { enabled: false },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        validateBody(ctx.path, ctx.body);
        if (ctx.path === '/sign-up/email') {
          const body = ctx.body as { email: string; inviteCode?: string };
          refuse(await signup.check(body.email, body.inviteCode));
        }
        if (ctx.path === '/change-email') await checkCurrentPassword(ctx);
        if (ctx.path === '/sign-in/email') await refuseDisabled(options.db, ctx.body);
      }),
    },
    // An unexpected failure is thrown to our route (http/plugins/auth.ts), which answers in our error
    // shape and logs no query parameters, instead of better-call printing it to stderr.
    onAPIError: { throw: true },
    logger: authLogger(options.logger),
    advanced: {
      // better-auth turns its Origin/CSRF check off when NODE_ENV=test or TEST is set; ours is always on
      // (an operator's stray TEST=1 must not disable it, and tests must see production behaviour).
      disableOriginCheck: false,
      disableCSRFCheck: false,
      useSecureCookies: options.secureCookies,
      database: { generateId: () => crypto.randomUUID() },
    },
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** A 400 in our error shape (`{"error":{"code":"validation_failed",…}}`) for a body that fails its schema. */
function validateBody(path: string, body: unknown): void {
  const bodySchema = bodySchemas.get(path);
  if (!bodySchema) return;
  const parsed = bodySchema.safeParse(body);
  if (parsed.success) return;
  const details = parsed.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || null,
    message: issue.message,
  }));
  const first = details[0]!;
  throw new APIError('BAD_REQUEST', {
    error: {
      code: 'validation_failed',
      message: first.field ? `${first.field}: ${first.message}` : first.message,
      details,
    },
  });
}

/** A refused sign-up in our error shape (`signup_closed` 403, `invite_invalid` 400 on the invite field). */
function refuse(refusal: SignupRefusal | null): void {
  if (!refusal) return;
  const { status, code, message, field } = refusal;
  throw new APIError(status, {
    error: { code, message, ...(field ? { details: [{ field, message }] } : {}) },
  });
}

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** A 400 in our error shape naming one field, in words for the form. */
function fieldError(field: string, message: string, code = 'validation_failed'): APIError {
  return new APIError('BAD_REQUEST', { error: { code, message, details: [{ field, message }] } });
}

/**
 * An email change asks for the current password (better-auth's change-email does not): checked
 * here against the caller's credential account (better-auth's own body schema drops the field).
 */
async function checkCurrentPassword(ctx: HookContext): Promise<void> {
  const body = ctx.body as { currentPassword: string };
  const session = await getSessionFromCtx(ctx);
  if (!session) return; // better-auth answers 401 itself
  const accounts = await ctx.context.internalAdapter.findAccounts(session.user.id);
  const hash = accounts.find((account) => account.providerId === 'credential')?.password;
  const valid = hash ? await ctx.context.password.verify({ hash, password: body.currentPassword }) : false;
  if (!valid) throw fieldError('currentPassword', 'That is not your current password.', 'invalid_password');
}

/** A disabled account (set by an administrator) cannot sign in; its sessions were revoked then. */
async function refuseDisabled(db: Db, body: unknown): Promise<void> {
  const address = (body as { email?: string }).email?.trim().toLowerCase();
  if (!address) return;
  const rows = await db
    .select({ disabledAt: schema.user.disabledAt })
    .from(schema.user)
    .where(eq(schema.user.email, address))
    .limit(1);
  if (rows[0]?.disabledAt) {
    throw new APIError('FORBIDDEN', {
      error: { code: 'account_disabled', message: 'This account is disabled. Ask your administrator.' },
    });
  }
}

/**
 * better-auth's log lines without their arguments: those are errors whose message carries the failed
 * query and its parameters (a user's email, name…). Only the error's name and SQLSTATE travel on.
 * Info and debug lines (e.g. "sign-up attempt for existing email: …") are not written.
 */
function authLogger(logger: AuthLogger | undefined) {
  return {
    level: 'warn' as const,
    log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, ...args: unknown[]) => {
      if (level !== 'warn' && level !== 'error') return;
      const error = args.find((arg) => arg instanceof Error);
      const fields = {
        component: 'better-auth',
        ...(error ? { errorName: error.name } : {}),
        ...(error && sqlStateIn(error, () => true) ? { sqlState: sqlStateIn(error, () => true) } : {}),
      };
      if (logger) logger[level](fields, message);
      else process.stderr.write(`[better-auth] ${level}: ${message}\n`);
    },
  };
}

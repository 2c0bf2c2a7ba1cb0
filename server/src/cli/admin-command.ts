import { parseInviteArgs, type InviteCommand } from './invite-command.js';

export type AdminCommand =
  | { kind: 'set-plan'; email: string; plan: string | null }
  | { kind: 'set-role'; email: string; role: 'admin' | 'user' }
  | InviteCommand;

export const USAGE = `Usage:
  npm run admin -- set-plan <email> <plan|none>
  npm run admin -- set-role <email> <admin|user>
  npm run admin -- invite [--email <email>] [--expires <7d|12h|never>]   prints a sign-up link
  npm run admin -- invites                                               lists the invites
`;

export class AdminUsageError extends Error {
  override readonly name = 'AdminUsageError';
}

/** Parses the CLI arguments; throws AdminUsageError with a message saying what is wrong. */
export function parseAdminCommand(argv: string[]): AdminCommand {
  if (argv[0] === 'invite' || argv[0] === 'invites') return parseInviteArgs(argv, AdminUsageError);
  const [verb, email, value, ...rest] = argv;
  if (!verb || !email || !value || rest.length > 0) {
    throw new AdminUsageError(
      `expected a command, an email and a value, got: ${argv.join(' ') || '(nothing)'}`,
    );
  }
  if (!email.includes('@')) throw new AdminUsageError(`"${email}" is not an email address`);
  if (verb === 'set-plan') return { kind: 'set-plan', email, plan: value === 'none' ? null : value };
  if (verb === 'set-role') {
    if (value !== 'admin' && value !== 'user') {
      throw new AdminUsageError(`role must be "admin" or "user", got "${value}"`);
    }
    return { kind: 'set-role', email, role: value };
  }
  throw new AdminUsageError(`unknown command "${verb}"`);
}

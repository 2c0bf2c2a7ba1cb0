export type InviteCommand =
  { kind: 'invite'; email: string | null; expiresInHours: number | null } | { kind: 'invites' };

const DEFAULT_HOURS = 24 * 7;
const MAX_HOURS = 24 * 365;

/** `invite [--email x] [--expires 7d|12h|never]` and `invites`. */
export function parseInviteArgs(argv: string[], UsageError: new (message: string) => Error): InviteCommand {
  const [verb, ...rest] = argv;
  if (verb === 'invites') {
    if (rest.length > 0) throw new UsageError(`"invites" takes no arguments, got: ${rest.join(' ')}`);
    return { kind: 'invites' };
  }
  let email: string | null = null;
  let expiresInHours: number | null = DEFAULT_HOURS;
  for (let index = 0; index < rest.length; index += 2) {
    const [flag, value] = [rest[index], rest[index + 1]];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--email') {
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw new UsageError(`"${value}" is not an email address`);
      email = value;
    } else if (flag === '--expires') {
      expiresInHours = parseDuration(value, UsageError);
    } else {
      throw new UsageError(`unknown option "${flag}" (invite takes --email and --expires)`);
    }
  }
  return { kind: 'invite', email, expiresInHours };
}

function parseDuration(value: string, UsageError: new (message: string) => Error): number | null {
  if (value === 'never') return null;
  const match = /^(\d+)([hd])$/.exec(value);
  const hours = match ? Number(match[1]) * (match[2] === 'd' ? 24 : 1) : NaN;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
    throw new UsageError(
      `--expires takes hours or days up to a year, like 12h or 7d, or never; got "${value}"`,
    );
  }
  return hours;
}

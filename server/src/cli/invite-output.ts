import type { Config } from '../config/index.js';
import type { CreatedInvite, InviteView } from '../services/invites/invite-service.js';

/** What `invite` prints: the link first (it is the point), then when it stops working. */
export function describeCreatedInvite(invite: CreatedInvite, signup: Config['signup']): string {
  const lines = [
    invite.link,
    `single use${invite.email ? `, only for ${invite.email}` : ''}, ${
      invite.expiresAt ? `expires ${invite.expiresAt}` : 'never expires'
    }`,
  ];
  if (signup === 'open') lines.push('note: SIGNUP is open, so anyone can sign up without an invite');
  return lines.join('\n');
}

/** What `invites` prints: one line per invite, newest first. */
export function describeInvites(invites: InviteView[]): string {
  if (invites.length === 0) return 'No invites yet. Make one with: npm run admin -- invite';
  return invites
    .map((invite) =>
      [
        invite.status.padEnd(7),
        invite.id,
        invite.email ?? 'anyone with the link',
        invite.status === 'used'
          ? `used by ${invite.usedEmail ?? '?'} ${invite.usedAt}`
          : invite.expiresAt
            ? `expires ${invite.expiresAt}`
            : 'never expires',
        `made by ${invite.createdBy}`,
      ].join('  '),
    )
    .join('\n');
}

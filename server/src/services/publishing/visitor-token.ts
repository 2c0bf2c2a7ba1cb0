import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.js';

/** What a visitor token names: one anonymous visitor of one published chatbot. */
export interface Visitor {
  visitorId: string;
  chatbotId: string;
}

/** A token lives a year; a visitor who clears storage simply becomes a new visitor. */
const TOKEN_LIFETIME_MS = 365 * 24 * 3_600_000;
const VERSION = 'v1';

/**
 * Visitor identity for the public endpoints (decision 0010): a bearer token
 * `v1.<base64url JSON {v, b, e}>.<base64url HMAC-SHA256>` signed with a key derived from the server
 * secret. Nothing is stored: the server issues a random visitor id and can verify it later, the
 * panel keeps the token in its own storage, no cookie is involved (third-party cookie blocking
 * changes nothing). A token names one chatbot: it is refused for another bot's routes.
 */
export class VisitorTokens {
  readonly #key: Buffer;

  constructor(
    serverSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    if (serverSecret.length < 16)
      throw new Error('visitor tokens need the server secret (16 characters or more)');
    // A key of its own: a visitor token can never be mistaken for anything better-auth signs.
    this.#key = createHmac('sha256', serverSecret).update('visitor-token/v1').digest();
  }

  issue(chatbotId: string): { token: string; visitor: Visitor } {
    const visitor = { visitorId: randomUUID(), chatbotId };
    const payload = Buffer.from(
      JSON.stringify({ v: visitor.visitorId, b: chatbotId, e: this.now() + TOKEN_LIFETIME_MS }),
    ).toString('base64url');
    return { token: `${VERSION}.${payload}.${this.#sign(payload)}`, visitor };
  }

  /** The visitor the `Authorization: Bearer` header names for this chatbot; 401 otherwise. */
  verify(authorization: string | undefined, chatbotId: string): Visitor {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
    if (!token) throw invalid('Send the visitor token as "Authorization: Bearer <token>".');
    const [version, payload, signature] = token.split('.');
    if (version !== VERSION || !payload || !signature) throw invalid('The visitor token is malformed.');
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid('The visitor token is not valid.');
    }
    let claims: { v?: unknown; b?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw invalid('The visitor token is malformed.');
    }
    if (typeof claims.v !== 'string' || typeof claims.b !== 'string' || typeof claims.e !== 'number') {
      throw invalid('The visitor token is malformed.');
    }
    if (claims.b !== chatbotId) throw invalid('The visitor token belongs to another chatbot.');
    if (claims.e < this.now()) throw invalid('The visitor token has expired; ask for a new one.');
    return { visitorId: claims.v, chatbotId };
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}

function invalid(message: string): AppError {
  return new AppError('visitor_token_invalid', message);
}

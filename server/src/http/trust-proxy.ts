import type { TrustProxy } from '../config/env.js';

/** Fastify's `trustProxy` option for TRUST_PROXY (config/env.ts). */
export type FastifyTrustProxy = false | string[] | ((address: string, hop: number) => boolean);

/**
 * - `false`: `request.ip` is the socket's peer; X-Forwarded-For is ignored.
 * - a hop count N: the N nearest hops (the socket's peer, then X-Forwarded-For from the right) are
 *   proxies, so `request.ip` is the address the outermost of them saw. Fastify 5.12+ refuses a bare
 *   number (it then trusts nothing), so it is given as a function of the hop index.
 * - addresses/CIDRs: a hop is a proxy when its address is in the list (@fastify/proxy-addr).
 * Never `true`: that takes the left-most X-Forwarded-For entry, which the client writes.
 */
export function fastifyTrustProxy(setting: TrustProxy): FastifyTrustProxy {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}

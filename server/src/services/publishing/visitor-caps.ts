import { randomUUID } from 'node:crypto';
import type { VisitorLimits } from '@app/common';
import { AppError } from '../../errors.js';
import type { LimitsService, StreamLease } from '../limits/index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The visitor caps, counted in the limits store (Redis when there is one: every instance shares
 * them; each check is one atomic script). A rolling-window count is the store's lease set with
 * leases that are never released: `acquireLease` drops the expired ones and adds one only while
 * fewer than `limit` are alive, in one step, so 50 parallel requests on two instances cannot pass
 * a limit of 10. Answers at once are ordinary stream leases (renewed while the answer runs).
 * Keys: `limits:pub:ip:<bot>:<ip>`, `limits:pub:hour:<bot>:<visitor>`, `limits:pub:day:<bot>:<visitor>`, and
 * `<limits prefix>streams:visitor:<bot>:<visitor>`.
 */
export class VisitorCaps {
  constructor(private readonly limits: LimitsService) {}

  /** One more token issue or message from this IP for this bot (perIpPerHour). */
  async countIp(chatbotId: string, ip: string, limits: VisitorLimits): Promise<void> {
    if (await this.#count(`limits:pub:ip:${chatbotId}:${ip}`, limits.perIpPerHour, HOUR_MS)) return;
    throw new AppError(
      'ip_limit',
      `Too many requests from your network to this chatbot: at most ${limits.perIpPerHour} an hour. Try again later.`,
      { retryAfterSeconds: 60, details: { limit: 'perIpPerHour', max: limits.perIpPerHour } },
    );
  }

  /** One more message of this visitor (messagesPerDay, then messagesPerHour). */
  async countMessage(chatbotId: string, visitorId: string, limits: VisitorLimits): Promise<void> {
    if (!(await this.#count(`limits:pub:day:${chatbotId}:${visitorId}`, limits.messagesPerDay, DAY_MS))) {
      throw new AppError(
        'visitor_limit',
        `You have sent the ${limits.messagesPerDay} messages this chatbot allows in a day. Come back tomorrow.`,
        { retryAfterSeconds: 3600, details: { limit: 'messagesPerDay', max: limits.messagesPerDay } },
      );
    }
    if (!(await this.#count(`limits:pub:hour:${chatbotId}:${visitorId}`, limits.messagesPerHour, HOUR_MS))) {
      throw new AppError(
        'visitor_limit',
        `You have sent the ${limits.messagesPerHour} messages this chatbot allows in an hour. Try again later.`,
        { retryAfterSeconds: 300, details: { limit: 'messagesPerHour', max: limits.messagesPerHour } },
      );
    }
  }

  /** A slot among the visitor's answers at once, or 429. */
  async acquireAnswer(chatbotId: string, visitorId: string, limits: VisitorLimits): Promise<StreamLease> {
    const lease = await this.limits.acquireStream(
      `visitor:${chatbotId}:${visitorId}`,
      limits.concurrentAnswers,
    );
    if (lease) return lease;
    throw new AppError(
      'visitor_concurrency',
      `Wait for the answer in progress to finish (at most ${limits.concurrentAnswers} at a time).`,
      { retryAfterSeconds: 2, details: { limit: 'concurrentAnswers', max: limits.concurrentAnswers } },
    );
  }

  /** True when counted; false when `limit` events already happened in the window. */
  async #count(key: string, limit: number, windowMs: number): Promise<boolean> {
    try {
      return await this.limits.store.acquireLease(key, randomUUID(), limit, windowMs);
    } catch (error) {
      this.limits.failures.onCheckFailed('rate', error);
      return true;
    }
  }
}

import type { Appearance, VisitorLimits } from '@app/common';
import type { PlanLimits, PlanPublishing } from '../../config/plans.js';

/** Visitor limits of a bot published without the plan saying otherwise: modest, the owner pays. */
export const BUILT_IN_VISITOR_LIMITS: VisitorLimits = {
  messagesPerHour: 20,
  messagesPerDay: 100,
  concurrentAnswers: 1,
  monthlySpendCapUsd: 5,
  perIpPerHour: 60,
};

export const DEFAULT_APPEARANCE: Omit<Appearance, 'avatarUrl'> = {
  accent: '#2563eb',
  theme: 'auto',
  position: 'right',
  title: '',
  launcherIcon: 'chat',
};

/** The limits a new publication starts with: the plan's visitorDefaults, capped by its budget. */
export function defaultVisitorLimits(publishing: PlanPublishing, planLimits: PlanLimits): VisitorLimits {
  const limits = { ...BUILT_IN_VISITOR_LIMITS, ...publishing.visitorDefaults };
  const budget = planLimits.monthlySpendBudgetUsd;
  return budget === undefined
    ? limits
    : { ...limits, monthlySpendCapUsd: Math.min(limits.monthlySpendCapUsd, budget) };
}

/** A slug from the chatbot's name (the owner can change it): `support-bot-3f9a`. */
export function suggestedSlug(name: string, chatbotId: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  const suffix =
    chatbotId
      .replace(/[^a-z0-9]/gi, '')
      .toLowerCase()
      .slice(0, 6) || 'bot';
  return base.length >= 1 ? `${base}-${suffix}` : `bot-${suffix}`;
}

export function avatarUrlOf(file: string | null): string | null {
  return file ? `/api/public/avatars/${file}` : null;
}

import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import ErrorPlanLink from './ErrorPlanLink.vue';
import { planLinkFor } from './error-text';

const stubs = { RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' } };

describe('plan links for plan-limit errors', () => {
  it('links budget, rate and concurrency errors to /plan, and nothing else', () => {
    for (const code of ['budget_exceeded', 'rate_limited', 'concurrency_limited']) {
      expect(planLinkFor(code)).toEqual({ to: '/plan', text: 'See your plan and its limits' });
    }
    for (const code of ['timeout', 'upstream', null, undefined]) expect(planLinkFor(code)).toBeNull();
  });

  it('renders the link only for those codes', () => {
    const budget = mount(ErrorPlanLink, { props: { code: 'budget_exceeded' }, global: { stubs } });
    expect(budget.get('a').attributes('href')).toBe('/plan');
    expect(budget.text()).toBe('See your plan and its limits');
    const other = mount(ErrorPlanLink, { props: { code: 'timeout' }, global: { stubs } });
    expect(other.find('a').exists()).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, signUp } from '../helpers/build-test-app.js';
import type { TestApp } from '../helpers/build-test-app.js';
import {
  owner,
  publish,
  publishingRig,
  setPlan,
  settings,
  type PublishingRig,
} from './publishing-fixtures.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);

describe('publishing settings (owner API)', () => {
  let rig: PublishingRig;
  let t: TestApp;

  beforeAll(async () => {
    rig = await publishingRig();
    ({ t } = await rig.startApp());
  });
  afterAll(() => rig.close());

  it('starts from defaults taken from the plan, then saves and reads back', async () => {
    const who = await owner(t);
    const initial = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/publication`,
      headers: as(who.cookie),
    });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({
      mode: 'off',
      planAllowsPublishing: true,
      maxSpendCapUsd: 10,
      limits: { messagesPerHour: 12, perIpPerHour: 100000 },
      updatedAt: null,
    });
    const slug = await publish(t, who, { greeting: 'Hello there' });
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/publication`,
      headers: as(who.cookie),
    });
    expect(read.json()).toMatchObject({
      mode: 'widget',
      slug,
      greeting: 'Hello there',
      sharePath: `/c/${slug}`,
    });
  });

  it('refuses bad input with a message at the field', async () => {
    const who = await owner(t);
    const put = (body: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/chatbots/${who.chatbotId}/publication`,
        headers: as(who.cookie),
        payload: body as object,
      });
    const badSlug = await put(settings({ slug: 'Not A Slug' }));
    expect(badSlug.statusCode).toBe(400);
    expect(badSlug.json().error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'slug' })]),
    );
    const badOrigin = await put(settings({ allowedOrigins: ['https://shop.example.com/path'] }));
    expect(badOrigin.statusCode).toBe(400);
    expect(badOrigin.json().error.message).toMatch(/exact origin/);
    const tooMany = await put(settings({ suggestions: ['a', 'b', 'c', 'd', 'e'] }));
    expect(tooMany.statusCode).toBe(400);
    const unknownField = await put({ ...settings(), systemPrompt: 'x' });
    expect(unknownField.statusCode).toBe(400);
    const overBudget = await put(settings({ limits: { ...settings().limits, monthlySpendCapUsd: 11 } }));
    expect(overBudget.statusCode).toBe(400);
    expect(overBudget.json().error).toMatchObject({
      code: 'validation_failed',
      details: { field: 'limits.monthlySpendCapUsd', max: 10 },
    });
  });

  it('refuses a slug another bot has (409 slug_taken)', async () => {
    const first = await owner(t);
    const second = await owner(t);
    const slug = await publish(t, first);
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${second.chatbotId}/publication`,
      headers: as(second.cookie),
      payload: settings({ slug }),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'slug_taken', details: { field: 'slug' } });
  });

  it('refuses publishing when the plan has none (403), but saves mode off', async () => {
    const who = await owner(t, 'free');
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${who.chatbotId}/publication`,
      headers: as(who.cookie),
      payload: settings(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('publishing_not_in_plan');
    const off = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${who.chatbotId}/publication`,
      headers: as(who.cookie),
      payload: settings({ mode: 'off' }),
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().planAllowsPublishing).toBe(false);
  });

  it("is the owner's only: another user gets 404 on every owner route", async () => {
    const who = await owner(t);
    await publish(t, who);
    const other = await signUp(t.app, `other-${Date.now()}@example.com`);
    for (const [method, url] of [
      ['GET', `/api/chatbots/${who.chatbotId}/publication`],
      ['PUT', `/api/chatbots/${who.chatbotId}/publication`],
      ['GET', `/api/chatbots/${who.chatbotId}/inbox`],
      ['GET', `/api/chatbots/${who.chatbotId}/analytics`],
      ['GET', `/api/chatbots/${who.chatbotId}/analytics.csv`],
      ['DELETE', `/api/chatbots/${who.chatbotId}/publication/avatar`],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: as(other),
        ...(method === 'PUT' ? { payload: settings() } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const anonymous = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/publication`,
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('stores an avatar checked by its bytes and serves it immutable, cross-origin', async () => {
    const who = await owner(t);
    const slug = await publish(t, who);
    const wrongType = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${who.chatbotId}/publication/avatar`,
      headers: { ...as(who.cookie), 'content-type': 'image/jpeg' },
      payload: PNG,
    });
    expect(wrongType.statusCode).toBe(400);
    const tooBig = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${who.chatbotId}/publication/avatar`,
      headers: { ...as(who.cookie), 'content-type': 'image/png' },
      payload: Buffer.concat([PNG, Buffer.alloc(300 * 1024)]),
    });
    expect(tooBig.statusCode).toBe(413);
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/chatbots/${who.chatbotId}/publication/avatar`,
      headers: { ...as(who.cookie), 'content-type': 'image/png' },
      payload: PNG,
    });
    expect(saved.statusCode).toBe(200);
    const { avatarUrl } = saved.json() as { avatarUrl: string };
    expect(avatarUrl).toMatch(/^\/api\/public\/avatars\/[a-f0-9]{32}\.png$/);
    const image = await t.app.inject({ method: 'GET', url: avatarUrl });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toContain('immutable');
    expect(image.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(image.rawPayload.equals(PNG)).toBe(true);
    const bot = await t.app.inject({ method: 'GET', url: `/api/public/bots/${slug}` });
    expect(bot.json().appearance.avatarUrl).toBe(avatarUrl);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${who.chatbotId}/publication/avatar`,
      headers: as(who.cookie),
    });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: avatarUrl })).statusCode).toBe(404);
  });

  it('limits the number of published bots to the plan maximum', async () => {
    const who = await owner(t);
    await setPlan(t, who.email, 'pro');
    // maxPublishedBots is 20 in the rig's plan: publish 20 more chatbots of this owner, the 21st is refused.
    const ids = [who.chatbotId];
    for (let index = 0; index < 20; index++) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(who.cookie),
        payload: { name: `bot ${index}` },
      });
      ids.push(created.json().id as string);
    }
    const results: number[] = [];
    for (const id of ids) {
      const response = await t.app.inject({
        method: 'PUT',
        url: `/api/chatbots/${id}/publication`,
        headers: as(who.cookie),
        payload: settings(),
      });
      results.push(response.statusCode);
      if (response.statusCode !== 200) expect(response.json().error.code).toBe('published_bots_limit');
    }
    expect(results.filter((status) => status === 200)).toHaveLength(20);
    expect(results.at(-1)).toBe(403);
  });
});

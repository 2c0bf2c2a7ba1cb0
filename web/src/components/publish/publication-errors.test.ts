import { describe, expect, it } from 'vitest';
import type { PublicationSettingsBody } from '@app/common';
import { ApiError } from '../../api';
import { publicationServerErrors, validatePublication } from './publication-errors';

const valid: PublicationSettingsBody = {
  mode: 'widget',
  slug: 'shop-helper',
  greeting: 'Hello',
  suggestions: ['Where is my order?'],
  appearance: { accent: '#0e7490', theme: 'auto', position: 'right', title: '', launcherIcon: 'chat' },
  allowedOrigins: ['https://shop.example.com'],
  limits: {
    messagesPerHour: 20,
    messagesPerDay: 100,
    concurrentAnswers: 1,
    monthlySpendCapUsd: 5,
    perIpPerHour: 60,
  },
  inGallery: false,
};

describe('publish form errors', () => {
  it('accepts valid settings', () => {
    expect(validatePublication(valid)).toEqual({});
  });

  it('puts each problem on its field, as a sentence, naming the line of a bad origin', () => {
    const errors = validatePublication({
      ...valid,
      slug: 'No Spaces',
      appearance: { ...valid.appearance, accent: 'blue' },
      allowedOrigins: ['https://shop.example.com', 'https://shop.example.com/path'],
      limits: { ...valid.limits, messagesPerDay: 0 },
    });
    expect(errors.slug).toBe('Use lower-case letters, digits and dashes (not at the start or end).');
    expect(errors['appearance.accent']).toBe('Pick a colour like #2563eb.');
    expect(errors.allowedOrigins).toMatch(/^Line 2: Write an exact origin/);
    expect(errors['limits.messagesPerDay']).toMatch(/^Messages per day must be at least 1\.?$/);
  });

  it('spreads the server refusal over the fields (dotted paths, codes owned by one field)', () => {
    const validation = new ApiError(400, 'validation_failed', 'appearance.title: too long', [
      { field: 'appearance.title', message: 'A title has at most 60 characters.' },
      { field: 'allowedOrigins.0', message: 'Write an exact origin like https://shop.example.com.' },
    ]);
    expect(publicationServerErrors(validation)).toEqual({
      fields: {
        'appearance.title': 'A title has at most 60 characters.',
        allowedOrigins: 'Line 1: Write an exact origin like https://shop.example.com.',
      },
      top: null,
    });
    const taken = new ApiError(409, 'slug_taken', 'This address is already taken. Pick another one.');
    expect(publicationServerErrors(taken).fields.slug).toBe(
      'This address is already taken. Pick another one.',
    );
    const plan = new ApiError(403, 'forbidden', 'You are not allowed to do that.');
    expect(publicationServerErrors(plan)).toEqual({ fields: {}, top: 'You are not allowed to do that.' });
  });
});

export * from './errors.js';
export * from './chatbot.js';
export * from './models.js';
export * from './chat.js';
export * from './account.js';
export * from './plan.js';
export * from './usage.js';
export * from './publishing.js';

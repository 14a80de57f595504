export { generateChatDb, type GenerateOptions } from './generator.js';
export type { GeneratedSummary, ConversationSummary } from './summary.js';

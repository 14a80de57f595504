import type { CandidateConversation } from '../normalize/archive.js';

/**
 * Conversations not yet rendered, largest first (by estimate): threads take one whenever they are free,
 * so they finish at nearly the same time whatever the sizes and the machine's moods.
 */
export class ConversationQueue {
  /** Every key in the order they are handed out. */
  readonly order: readonly string[];
  private readonly keys: string[];

  constructor(candidates: CandidateConversation[]) {
    this.keys = [...candidates].sort((a, b) => a.estimate - b.estimate).map((c) => c.key);
    this.order = [...this.keys].reverse();
  }

  take(): string | undefined {
    return this.keys.pop();
  }

  clear(): void {
    this.keys.length = 0;
  }
}

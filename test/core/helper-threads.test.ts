import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/engine/options.js';
import { helperCount } from '../../src/engine/shards.js';

describe('worker threads of an export', () => {
  const options = (extra: Record<string, string | string[]> = {}) => resolveOptions({ out: '/tmp/out', threads: '4', ...extra }, true);

  it('are never more, with this thread, than the conversations to render', () => {
    expect(helperCount(options(), 1)).toBe(0);
    expect(helperCount(options(), 0)).toBe(0);
    expect(helperCount(options(), 3)).toBe(2);
    expect(helperCount(options(), 100)).toBe(3);
  });

  it('are none for an iPhone backup', () => {
    expect(helperCount(options({ backup: ['/tmp/backup'] }), 100)).toBe(0);
  });
});

// On Windows a path option may begin with `~\` as well as `~/`: it stands for the home folder (USERPROFILE).
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:path', async () => {
  const { win32 } = await vi.importActual<typeof import('node:path')>('node:path');
  return { ...win32, default: win32 };
});
vi.mock('node:os', async () => ({ ...(await vi.importActual<typeof import('node:os')>('node:os')), homedir: () => 'C:\\Users\\Ann' }));

describe('a leading ~ on Windows', () => {
  it('stands for the home folder before either slash', async () => {
    const { expandHome } = await import('../../src/home-path.js');
    expect(expandHome('~\\Desktop\\messages')).toBe('C:\\Users\\Ann\\Desktop\\messages');
    expect(expandHome('~/Desktop/messages')).toBe('C:\\Users\\Ann\\Desktop\\messages');
    expect(expandHome('~')).toBe('C:\\Users\\Ann');
    expect(expandHome('~Bob\\x')).toBe('~Bob\\x');
    expect(expandHome('D:\\~\\x')).toBe('D:\\~\\x');
  });
});

// The archive folder's own files, in a module of their own: the launcher needs a name before it loads anything.
export const SUMS_FILE = 'SHA256SUMS';
export const STORE_FILE = 'textkeeper.sqlite';

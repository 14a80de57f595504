/** Most threads an export renders on (this one and its workers, see shards.ts). */
export const MAX_THREADS = 4;

import type { Redis } from 'ioredis';

/** Deletes every key matching `pattern` (a SCAN pattern, e.g. a run's prefix and `*`). */
export async function unlinkKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

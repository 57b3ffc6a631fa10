import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createMemoryRateLimiter, createRedisRateLimiter, retryAfterSeconds, type RateLimiter } from '../../api/rate-limit.ts';
import { TEST_REDIS_URL, uniqueName } from '../support/stack.ts';

function behavesAsAFixedWindow(name: string, make: (now: () => number) => RateLimiter) {
  it(`${name}: allows the limit per window, refuses the next with the time left, and starts again in the next window`, async () => {
    let t = 60_000 * 1000 + 15_000;
    const limiter = make(() => t);
    const key = uniqueName('k');
    for (let i = 1; i <= 3; i++) assert.equal((await limiter.hit(key, 3, 60_000)).allowed, true, `hit ${i}`);
    const refused = await limiter.hit(key, 3, 60_000);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 45_000);
    assert.equal(retryAfterSeconds(refused), 45);
    assert.equal((await limiter.hit(`${key}-other`, 3, 60_000)).allowed, true, 'keys are counted apart');
    t += 45_000;
    assert.equal((await limiter.hit(key, 3, 60_000)).allowed, true, 'a new window');
  });
}

describe('rate limiting', () => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  after(() => redis.disconnect());
  behavesAsAFixedWindow('in-process', (now) => createMemoryRateLimiter(now));
  behavesAsAFixedWindow('Redis', (now) => createRedisRateLimiter({ redis, prefix: `${uniqueName('rl')}:`, now }));

  it('shares one window between limiters (API processes) through Redis', async () => {
    const prefix = `${uniqueName('rl')}:`;
    const one = createRedisRateLimiter({ redis, prefix });
    const two = createRedisRateLimiter({ redis, prefix });
    await one.hit('shared', 2, 60_000);
    await two.hit('shared', 2, 60_000);
    assert.equal((await one.hit('shared', 2, 60_000)).allowed, false);
  });

  it('counts in-process when Redis is unreachable rather than failing', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const limiter = createRedisRateLimiter({ redis: down, prefix: 'x:' });
    assert.equal((await limiter.hit('k', 1, 60_000)).allowed, true);
    assert.equal((await limiter.hit('k', 1, 60_000)).allowed, false);
    down.disconnect();
  });
});

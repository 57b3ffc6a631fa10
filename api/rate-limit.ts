import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Fixed-window rate limiting: at most `limit` hits of a key per window of `windowMs`. Shared through
 * Redis when it is configured (every API process counts against the same window), in-process
 * otherwise. A fixed window lets a client burst up to twice the limit across a window boundary; for
 * decision quotas and sign-in throttling that is acceptable and it costs one round trip.
 */
export interface RateVerdict {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  /** Until the window ends: what Retry-After says when refused. */
  retryAfterMs: number;
}

export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
}

const windowOf = (nowMs: number, windowMs: number) => Math.floor(nowMs / windowMs);

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    async hit(key, limit, windowMs) {
      const t = now();
      // Sweep ended windows now and then instead of running a timer.
      if (windows.size > 10_000) for (const [k, w] of windows) if (w.endsAt <= t) windows.delete(k);
      const id = `${key}\u0000${windowMs}\u0000${windowOf(t, windowMs)}`;
      const w = windows.get(id) ?? { count: 0, endsAt: (windowOf(t, windowMs) + 1) * windowMs };
      w.count += 1;
      windows.set(id, w);
      return { allowed: w.count <= limit, count: w.count, retryAfterMs: Math.max(0, w.endsAt - t) };
    },
  };
}

/**
 * Redis-backed windows (INCR + PEXPIRE in one MULTI). When Redis fails the limiter falls back to
 * counting in-process rather than refusing every request or letting every one through.
 */
export function createRedisRateLimiter(opts: { redis: Redis; prefix: string; log?: Logger; now?: () => number }): RateLimiter {
  const now = opts.now ?? Date.now;
  const fallback = createMemoryRateLimiter(now);
  let lastWarning = 0;
  return {
    async hit(key, limit, windowMs) {
      const t = now();
      const window = windowOf(t, windowMs);
      const redisKey = `${opts.prefix}rl:${key}:${windowMs}:${window}`;
      try {
        const results = await opts.redis.multi().incr(redisKey).pexpire(redisKey, windowMs + 1_000).exec();
        const [incrError, count] = results?.[0] ?? [new Error('no reply'), null];
        if (incrError) throw incrError;
        const n = Number(count);
        return { allowed: n <= limit, count: n, retryAfterMs: Math.max(0, (window + 1) * windowMs - t) };
      } catch (err) {
        if (t - lastWarning > 60_000) {
          lastWarning = t;
          opts.log?.warn({ err }, 'rate limiter: Redis unavailable, counting in-process until it answers');
        }
        return fallback.hit(key, limit, windowMs);
      }
    },
  };
}

/** Seconds for a Retry-After header: whole seconds, at least 1. */
export const retryAfterSeconds = (v: RateVerdict) => Math.max(1, Math.ceil(v.retryAfterMs / 1000));

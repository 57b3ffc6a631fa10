import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { tickPipeline } from './redis-tick-pipeline.ts';

const redis = new Redis('redis://127.0.0.1:6379');
const key = (name: string) => `fg-test-tick-${process.pid}-${Date.now()}:${name}`;
after(() => redis.disconnect());

/** The client, counting the pipelines written through it. */
function counting(client: Redis) {
  const seen = { pipelines: 0 };
  return { seen, client: { pipeline: () => { seen.pipelines += 1; return client.pipeline(); } } };
}

describe('tickPipeline: the commands of concurrent callers sent to Redis together', () => {
  it('answers each caller with its own replies, in the order of its commands', async () => {
    const { seen, client } = counting(redis);
    const send = tickPipeline(client);
    const [a, b, c] = await Promise.all([
      send([(p) => p.echo('a1'), (p) => p.echo('a2')]),
      send([(p) => p.echo('b1')]),
      send([(p) => p.echo('c1'), (p) => p.echo('c2'), (p) => p.echo('c3')]),
    ]);
    assert.deepEqual([a, b, c], [['a1', 'a2'], ['b1'], ['c1', 'c2', 'c3']]);
    assert.equal(seen.pipelines, 1, 'the callers of one turn share one pipeline');
  });

  it('writes a full pipeline at once and starts another, each caller answered from its own', async () => {
    const { seen, client } = counting(redis);
    const send = tickPipeline(client, { maxCommands: 4 });
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => send([(p) => p.echo(`x${i}`)])));
    assert.deepEqual(replies, Array.from({ length: 10 }, (_, i) => [`x${i}`]));
    assert.equal(seen.pipelines, 3, '10 commands in pipelines of at most 4');
  });

  it('rejects only the caller whose command failed', async () => {
    const text = key('text');
    await redis.set(text, 'not a number');
    const send = tickPipeline(redis);
    const [failed, fine] = await Promise.allSettled([
      send([(p) => p.echo('before'), (p) => p.incr(text)]),
      send([(p) => p.echo('after')]),
    ]);
    assert.equal(failed.status, 'rejected');
    assert.match(String((failed as PromiseRejectedResult).reason), /not an integer/);
    assert.deepEqual(fine, { status: 'fulfilled', value: ['after'] });
    await redis.del(text);
  });

  it('rejects every waiting caller when the connection cannot send', async () => {
    const closed = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const send = tickPipeline(closed);
    const results = await Promise.allSettled([send([(p) => p.echo('a')]), send([(p) => p.echo('b')])]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    closed.disconnect();
  });

  it('answers a caller with no commands at once', async () => {
    assert.deepEqual(await tickPipeline(redis)([]), []);
  });
});

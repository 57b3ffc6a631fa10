import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withTimeout } from './with-timeout.ts';

describe('withTimeout', () => {
  it('gives the work\'s value when it settles in time', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 50), 7);
  });

  it('passes the work\'s own failure on, as an Error', async () => {
    await assert.rejects(withTimeout(Promise.reject(new Error('refused')), 50), /refused/);
    await assert.rejects(withTimeout(Promise.reject('plain'), 50), (err: unknown) => err instanceof Error && err.message === 'plain');
  });

  it('rejects with the given error once the time is up, and drops the late answer', async () => {
    const late = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('too late')), 60));
    await assert.rejects(withTimeout(late, 10, () => new RangeError('gave up')), RangeError);
    await assert.rejects(withTimeout(new Promise(() => undefined), 10), /no answer within 10 ms/);
    await new Promise((r) => setTimeout(r, 80)); // the late rejection lands here: no unhandled rejection fails the run
  });
});

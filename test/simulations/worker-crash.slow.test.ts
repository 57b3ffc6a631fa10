import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../support/stack.ts';
import { spawnWorker, type ChildService } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';
import { DATA_DIR, defaultRuleset, readSlice } from './fixtures.ts';

describe('a simulation whose worker is killed mid-run', () => {
  let api: TestStack;
  let worker: ChildService | undefined;

  before(async () => {
    api = await startStack({ FRAUDGUARD_ROLE: 'api', SIMULATION_DATA_DIR: DATA_DIR });
    worker = await spawnWorker(api);
  });
  after(async () => { await worker?.kill('SIGKILL'); await api?.stop(); await api?.dropSchema(); });

  const body = () => {
    const base = defaultRuleset();
    const added = { name: 'Large decline', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 180 }] }, event: { type: 'decline', params: { reason: 'over 180' } } };
    return { from: '2018-04-01', to: '2018-04-08', chunk_days: 2, candidate: { document: { ...base, rules: [...base.rules, added] }, model_versions: [] }, baseline: { document: base, model_versions: [] } };
  };
  const get = async (id: string) => (await api.get(`/v1/simulations/${id}`)).body;

  it('resumes on a new worker and counts every transaction once: its totals equal an uninterrupted run', async () => {
    const started = await api.post('/v1/simulations', body());
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.id as string;
    // Kill it inside its second chunk: one chunk stored, another half done.
    await waitFor(async () => { const s = await get(id); return s.chunks_done >= 1 && s.rows_done > s.chunks_done * 19_000 + 2_000; }, 180_000, 'second chunk under way');
    await worker?.kill('SIGKILL');
    const atKill = await get(id);
    assert.equal(atKill.status, 'running');
    assert.ok(atKill.chunks_done < atKill.chunks_total);

    worker = await spawnWorker(api);
    const resumed = await waitFor(async () => { const s = await get(id); return ['completed', 'failed', 'cancelled'].includes(s.status) ? s : null; }, 300_000, 'resumed run finished');
    assert.equal(resumed.status, 'completed', JSON.stringify(resumed));

    const again = await api.post('/v1/simulations', body());
    const uninterrupted = await waitFor(async () => { const s = await get(again.body.id); return s.status === 'completed' ? s : null; }, 300_000, 'uninterrupted run finished');

    const rows = readSlice('2018-04-01', '2018-04-08');
    assert.equal(resumed.result.transactions, rows.length, 'each transaction counted once');
    assert.equal(resumed.rows_done, rows.length);
    assert.equal(resumed.result.candidate.frauds, rows.filter((r) => r.fraud).length);
    assert.deepEqual(resumed.result, uninterrupted.result);
    const changes = async (sim: string) => (await api.get(`/v1/simulations/${sim}/changes?page_size=500`)).body.total;
    assert.equal(await changes(id), await changes(again.body.id));
  });
});

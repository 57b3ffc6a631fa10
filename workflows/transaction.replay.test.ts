import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';

const { temporal } = proto;
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './worker.ts';

// Histories recorded by Temporal's dev server (`temporal workflow show -o json`) from synthetic
// transactions: workers must replay every history they may meet after an upgrade, open review
// cases included, without a non-determinism error.
function history(name: string) {
  const json: unknown = JSON.parse(readFileSync(new URL(`../test/fixtures/histories/${name}.json`, import.meta.url), 'utf8'));
  // The SDK's own JSON reader trips over two copies of protobufjs in node_modules; proto3 JSON differs
  // from protobufjs objects only in timestamps and durations, converted here.
  return temporal.api.history.v1.History.fromObject(protoObject(json) as Record<string, unknown>);
}

function protoObject(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => protoObject(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, protoObject(v, k)]));
  if (typeof value === 'string' && /Time$/.test(key) && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const ms = Date.parse(value);
    const nanos = Number((/\.(\d+)Z$/.exec(value)?.[1] ?? '0').padEnd(9, '0').slice(0, 9));
    return { seconds: Math.floor(ms / 1000), nanos };
  }
  if (typeof value === 'string' && /^\d+(\.\d+)?s$/.test(value)) {
    const seconds = Number(value.slice(0, -1));
    return { seconds: Math.floor(seconds), nanos: Math.round((seconds % 1) * 1e9) };
  }
  return value;
}

describe('workflow histories', () => {
  it('replays a decision recorded when steps 1–4 ran as four local activities', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-four-local-activities')));
  });

  it('replays a decision recorded with steps 1–4 in one local activity', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-one-local-activity')));
  });

  it('replays an APPROVE whose decision the ledger recorded (no persistence activity, one workflow task)', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-recorded-with-decision')));
  });

  it('replays a REVIEW whose decision the ledger recorded, up to its open case', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-review-recorded-with-decision')));
  });

  it('replays an APPROVE whose starter said it decides and records in one step (no patch marker, no search-attribute upsert)', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-decide-and-record-input')));
  });

  it('replays a REVIEW whose starter said so too, up to its open case', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-review-decide-and-record-input')));
  });

  it('replays a DECLINE decided by a bulk request and carried on by its transaction workflow', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('transaction-decided-by-bulk')));
  });

  it('replays the batch workflow that handed a bulk request\'s follow-ups to their transaction workflows', async () => {
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history('decided-batch')));
  });
});

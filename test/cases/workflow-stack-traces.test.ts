import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startStack, testTemporalAddress, type TestStack } from '../support/stack.ts';
import { toolPath } from '../../runtime/tools.ts';
import { deployCaseRuleset, openCase } from './case-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Temporal's own CLI asking where a workflow waits: exit code and what it printed. */
async function workflowStack(workflowId: string): Promise<{ ok: boolean; output: string }> {
  const args = ['workflow', 'stack', '--workflow-id', workflowId, '--address', await testTemporalAddress(), '--namespace', 'default'];
  try {
    const { stdout, stderr } = await promisify(execFile)(toolPath(ROOT, 'temporal') ?? 'temporal', args, { timeout: 30_000 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

/** A stack with the case ruleset deployed, started with `env`, for the suite it is called in. */
function caseStack(env: Record<string, string>): () => TestStack {
  let stack: TestStack;
  before(async () => {
    stack = await startStack(env);
    await deployCaseRuleset(stack);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });
  return () => stack;
}

describe('the stack trace query by default', () => {
  const stack = caseStack({});

  it('is off (it costs the worker CPU on every decision): the worker says so, and the case works on', async () => {
    const { txId, caseId } = await openCase(stack());
    const answer = await workflowStack(`tx-${txId}`);
    assert.equal(answer.ok, false);
    assert.match(answer.output, /stack traces are not enabled on this worker/);
    const screen = await stack().get(`/v1/cases/${caseId}`);
    assert.equal(screen.status, 200);
    assert.equal(screen.body.case.status, 'open');
  });
});

describe('the stack trace query with TEMPORAL_WORKFLOW_STACK_TRACES=true', () => {
  const stack = caseStack({ TEMPORAL_WORKFLOW_STACK_TRACES: 'true' });

  it('`temporal workflow stack` shows an open case\'s workflow waiting in the review step', async () => {
    const { txId } = await openCase(stack());
    const answer = await workflowStack(`tx-${txId}`);
    assert.ok(answer.ok, answer.output);
    assert.match(answer.output, /workflows\/review-case\.ts/);
  });
});

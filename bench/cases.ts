// Review cases through the real stack (Temporal, Postgres): how long after a REVIEW decision is answered
// its case is in the queue, how long an analyst action (a Temporal update) takes, and the webhook retry
// schedule as a failing receiver sees it. Baselines measured in the same run: the decision itself, a read
// of the case, and the configured back-off. `npx tsx bench/cases.ts` runs it alone.
import { figure, quantile, runAlone, type BenchFigure } from './figure.ts';
import { aTransaction, startStack } from '../test/support/stack.ts';
import { deployCaseRuleset } from '../test/cases/case-fixtures.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';
import { waitFor } from '../test/support/wait.ts';
import { caseIdOf } from '../workflows/case-actions.ts';

const CASES = Number(process.env.BENCH_CASES ?? 20);
const RETRY_INITIAL_MS = 200;
const FAILURES = 4;

const median = (xs: number[]) => quantile(xs, 0.5);
const p95 = (xs: number[]) => quantile(xs, 0.95);

export async function runCasesBench(): Promise<BenchFigure[]> {
  const secret = 'bench-cases-webhook-secret';
  const hooks = await startWebhookReceiver(secret);
  // The receiver fails the first FAILURES tries of every notification, then accepts.
  hooks.respondWith((_hook, previousTries) => (previousTries < FAILURES ? 503 : 200));
  const stack = await startStack({
    LOG_LEVEL: 'silent', WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: secret,
    NOTIFY_RETRY_INITIAL: `${RETRY_INITIAL_MS}ms`, NOTIFY_RETRY_MAX_INTERVAL: '1m', NOTIFY_MAX_ATTEMPTS: String(FAILURES + 1),
  });
  try {
    await deployCaseRuleset(stack);
    const decide: number[] = [];
    const toRow: number[] = [];
    const claim: number[] = [];
    const read: number[] = [];
    let lastTx = '';
    for (let i = 0; i < CASES; i++) {
      const tx = aTransaction({ amount: '1500.00', customer_id: `bench-case-${i}` });
      const t0 = performance.now();
      const res = await stack.post('/v1/decisions', tx);
      const answered = performance.now();
      if (res.body?.decision !== 'REVIEW') throw new Error(`expected REVIEW, got ${JSON.stringify(res.body)}`);
      // Poll the mirror tightly: the figure is when the queue can first show the case.
      for (;;) {
        const { rowCount } = await stack.db.query('SELECT 1 FROM cases WHERE transaction_id = $1', [tx['id']]);
        if (rowCount) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      decide.push(answered - t0);
      toRow.push(performance.now() - answered);
      const caseId = caseIdOf(tx['id'] as string);
      const r0 = performance.now();
      await stack.get(`/v1/cases/${caseId}`);
      read.push(performance.now() - r0);
      const c0 = performance.now();
      const claimed = await stack.post(`/v1/cases/${caseId}/claim`, {});
      if (claimed.status !== 200) throw new Error(`claim failed: ${JSON.stringify(claimed.body)}`);
      claim.push(performance.now() - c0);
      lastTx = tx['id'] as string;
    }

    // The retry schedule of the last case's case.opened webhook: gaps between tries as the receiver saw them.
    const tries = await waitFor(async () => {
      const seen = hooks.about(lastTx, 'case.opened');
      return seen.length >= FAILURES + 1 ? seen : null;
    }, 60_000, `all ${FAILURES + 1} tries of the last case.opened webhook`);
    const times = tries.map((t) => t.receivedAt);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));

    const figures = [
      figure('REVIEW answered → case row in Postgres (median)', median(toRow), 'ms', { name: 'the decision itself (median)', value: median(decide) }),
      figure('REVIEW answered → case row in Postgres (p95)', p95(toRow), 'ms', { name: 'the decision itself (p95)', value: p95(decide) }),
      figure('claim (Temporal update + mirror), median', median(claim), 'ms', { name: 'GET /v1/cases/:id (median)', value: median(read) }),
      ...gaps.map((g, i) => figure(`webhook retry gap ${i + 1} (receiver answers 503)`, g, 'ms',
        { name: 'configured back-off', value: RETRY_INITIAL_MS * 2 ** i })),
    ];
    return figures;
  } finally {
    await stack.stop();
    await stack.dropSchema();
    await hooks.close();
  }
}

await runAlone(import.meta.url, runCasesBench);

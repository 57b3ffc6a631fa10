import { createServer } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { createLogger } from '../observability/logger.ts';
import { createDecisionActivities } from '../activities/decision-activities.ts';
import { createRulesetReader } from '../activities/pg/ruleset-repository.ts';
import { createScorer } from '../runtime/scorer.ts';
import { decisionDeps } from '../runtime/decision-deps.ts';
import { createFeatureStores } from '../runtime/feature-stores.ts';
import { decisionView } from '../api/routes/decisions.ts';
import { parseTransaction } from '../engine/transaction.ts';
import type { Db } from '../db/pool.ts';

/**
 * The inline engine path, for comparison: the same decision steps 1–4 (the same activity functions,
 * Redis feature store, ONNX scorer, cached compiled rulesets of the stack's database) run in the API
 * process itself, with no Temporal round trip and no durable hand-off. It measures what the workflow
 * costs on top of the decision itself; it is not a product route (the record and the review case are
 * the workflow's, see DESIGN.md).
 */
export async function inlineDecisionEndpoint(deps: { db: Db; redisUrl: string; prefix: string }): Promise<{ url: string; close(): Promise<void> }> {
  const log = createLogger({ level: 'silent' });
  const redis = new Redis(deps.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const stores = createFeatureStores({ redis, prefix: deps.prefix, timeoutMs: 50 });
  const scorer = await createScorer({ db: deps.db, log });
  const decide = createDecisionActivities(decisionDeps({ stores, scorer, reader: createRulesetReader(deps.db), featureTimeoutMs: 50, log }));

  const app = express();
  app.use(express.json({ limit: '1mb', type: () => true }));
  app.post('/v1/decisions', async (req, res) => {
    const receivedAtMs = Date.now();
    const parsed = parseTransaction(req.body);
    if (!parsed.ok) { res.status(400).json({ error: { code: 'INVALID_REQUEST', fields: parsed.issues } }); return; }
    const tx = parsed.value;
    const decision = await decide.decideTransaction({ tx, receivedAtMs, workflowId: `inline-${tx.id}` });
    res.json(decisionView(decision));
  });
  const server = createServer(app);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/decisions`,
    close: async () => {
      await new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); });
      await scorer.close();
      redis.disconnect();
    },
  };
}

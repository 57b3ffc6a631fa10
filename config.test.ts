import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('the configuration was meant to be refused');
};

describe('the configuration read from the environment', () => {
  it('starts on embedded defaults with nothing set, an empty variable counting as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '' });
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.PORT, 8080);
    assert.equal(config.OCCURRED_AT_MAX_AHEAD, 15 * 60_000);
  });

  it('names every variable it cannot use, with what it takes', () => {
    assert.deepEqual(problemsOf({ PORT: 'abc', FRAUDGUARD_ROLE: 'x', CASE_SLA_L1: '4', DATABASE_URL: 'mysql://db', TEMPORAL_EAGER_START: 'maybe' }), [
      'PORT: must be a number',
      'DATABASE_URL: must be a URL starting with postgres:// or postgresql://',
      'FRAUDGUARD_ROLE: must be one of: "all", "api", "worker"',
      'TEMPORAL_EAGER_START: must be one of: "0", "1", "true", "false", "yes", "no", "on", "off"',
      'CASE_SLA_L1: must be a duration such as 500ms, 30s, 15m, 4h or 2d',
    ]);
    assert.deepEqual(problemsOf({ PORT: '70000' }), ['PORT: must be at most 65535']);
  });

  it('wants a secret to sign webhooks with before it sends any', () => {
    assert.deepEqual(problemsOf({ WEBHOOK_URL: 'https://hooks.example/fraud' }), ['WEBHOOK_SECRET: is required when WEBHOOK_URL is set: every webhook is signed']);
  });
});

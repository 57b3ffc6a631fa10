import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { USAGE } from '../../cli/usage.ts';
import { SUITES } from '../../bench/run.ts';
import { fraudguard } from '../support/cli.ts';

describe('fraudguard --help', () => {
  it('lists every command with its usage, and each command answers --help with its own (exit 0)', () => {
    const all = fraudguard(['--help']);
    assert.equal(all.code, 0);
    for (const [command, usage] of Object.entries(USAGE)) {
      assert.ok(all.out.includes(usage), `${command} in the list`);
      const own = fraudguard([...command.split(' '), '--help']);
      assert.deepEqual([own.code, own.out.trim()], [0, `Usage: ${usage}`], command);
    }
  });

  it('refuses a name that is no command, whatever JavaScript objects inherit', () => {
    for (const name of ['toString', 'constructor', 'simulat']) {
      const run = fraudguard([name]);
      assert.equal(run.code, 2, name);
      assert.match(run.stderr, new RegExp(`unknown command "${name}"`));
    }
  });

  it('names the bench suites that exist', () => {
    assert.ok(USAGE.bench.includes(`[${SUITES.map((s) => s.name).join('|')}…]`));
  });
});

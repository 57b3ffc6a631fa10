import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../cli/commands/rules-validate.ts';
import { fraudguard } from '../support/cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEFAULT_RULESET = join(ROOT, 'rules/default.json');

async function validate(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const ruleUsing = (condition: unknown) => JSON.stringify({ name: 'x', rules: [{ name: 'r', conditions: { all: [condition] }, event: { type: 'review' } }] });

describe('fraudguard rules validate', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'fg-rules-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('exits 0 and prints no fault when every file is valid', async () => {
    const result = await validate([DEFAULT_RULESET]);
    assert.equal(result.code, 0);
    assert.deepEqual(result.out, []);
  });

  it('exits 1 with one line per fault: FILE: <json path>: <reason>', async () => {
    const file = join(dir, 'faults.json');
    await writeFile(file, ruleUsing({ fact: 'amout', operator: 'greaterThan', value: '5' }));
    const result = await validate([DEFAULT_RULESET, file]);
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, [
      `${file}: $.rules[0].conditions.all[0].fact: unknown fact "amout"; did you mean "amount"?`,
      `${file}: $.rules[0].conditions.all[0].value: greaterThan compares numbers: value must be a number, not the string "5"`,
    ]);
  });

  it('reports malformed JSON with the line and column, and unreadable files, as faults at $', async () => {
    const malformed = join(dir, 'malformed.json');
    await writeFile(malformed, '{\n  "name": "x",\n  "rules": [\n    { "name": "a"\n  ]\n}\n');
    const missing = join(dir, 'missing.json');
    const result = await validate([malformed, missing, dir]);
    assert.equal(result.code, 1);
    assert.equal(result.out.length, 3);
    assert.match(result.out[0] as string, new RegExp(`^${malformed}: \\$: malformed JSON at line 5, column 3: `));
    assert.equal(result.out[1], `${missing}: $: cannot read the file: it does not exist`);
    assert.equal(result.out[2], `${dir}: $: cannot read the file: it is a directory`);
  });

  it('knows the seeded lists offline, and more with --list', async () => {
    const file = join(dir, 'lists.json');
    await writeFile(file, ruleUsing({ fact: 'ip', operator: 'inList', value: 'proxy_ips' }));
    const unknown = await validate([file]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.out[0] as string, /\$.rules\[0\].conditions.all\[0\].value: no list named "proxy_ips" \(known lists: allowed_customers, blocked_customers/);
    assert.equal((await validate(['--list', 'proxy_ips', file])).code, 0);
    assert.equal((await validate(['--list', 'a,proxy_ips', file])).code, 0);
  });

  it('exits 2 on a wrong command line', async () => {
    assert.equal((await validate([])).code, 2);
    assert.equal((await validate(['--nope', DEFAULT_RULESET])).code, 2);
  });

  it('runs as `fraudguard rules validate` from the package bin', async () => {
    const file = join(dir, 'bin.json');
    await writeFile(file, ruleUsing({ fact: 'amount', operator: 'nope', value: 1 }));
    const ok = fraudguard(['rules', 'validate', DEFAULT_RULESET]);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = fraudguard(['rules', 'validate', file]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, `${file}: $.rules[0].conditions.all[0].operator: unknown operator "nope"\n`);
  });
});

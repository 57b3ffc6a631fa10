import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_LISTS } from '../../db/seed.ts';
import { KNOWN_OPERATORS, productFacts, validateRuleset, type RulesetProblem } from '../../engine/rules/validate.ts';
import { USAGE as COMMAND_USAGE } from '../usage.ts';

const USAGE = COMMAND_USAGE['rules validate'];

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const CONSOLE: Output = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };

/**
 * `fraudguard rules validate FILE…`: the API's checks, offline. Exit 0 when every file is valid;
 * otherwise 1, with one line per fault on stdout: `FILE: <json path>: <reason>` (a file that cannot
 * be read or is not JSON is a fault at `$`, with the line and column where parsing stopped). 2 for a
 * wrong command line.
 *
 * Facts are the product's: transaction fields, the default feature set, `score` and `score.<role>`.
 * Lists live in the database, which this command does not read: it knows the lists every
 * installation is seeded with, plus each `--list NAME` given (repeat it, or separate names with
 * commas), so a ruleset naming a list created through /v1/lists is checked with `--list that_list`.
 */
export async function run(argv: string[], io: Output = CONSOLE): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { list: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    io.err(`${(err as Error).message}\nUsage: ${USAGE}`);
    return 2;
  }
  if (parsed.values.help) { io.out(`Usage: ${USAGE}`); return 0; }
  const files = parsed.positionals;
  if (files.length === 0) { io.err(`Usage: ${USAGE}`); return 2; }

  const lists = new Set([...DEFAULT_LISTS.map((l) => l.name), ...(parsed.values.list ?? []).flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean)]);
  const known = { facts: productFacts(), operators: KNOWN_OPERATORS, lists };
  let faults = 0;
  for (const file of files) {
    const problems = await problemsOf(file, (doc) => {
      const result = validateRuleset(doc, known);
      return result.ok ? [] : result.problems;
    });
    for (const p of problems) io.out(`${file}: ${p.path}: ${oneLine(p.reason)}`);
    faults += problems.length;
  }
  if (faults === 0) io.err(`${files.length} ruleset file${files.length === 1 ? '' : 's'} valid`);
  return faults === 0 ? 0 : 1;
}

async function problemsOf(file: string, validate: (doc: unknown) => RulesetProblem[]): Promise<RulesetProblem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return [{ path: '$', reason: `cannot read the file: ${e.code === 'ENOENT' ? 'it does not exist' : e.code === 'EISDIR' ? 'it is a directory' : e.message}` }];
  }
  // Editors on Windows save JSON with a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.replace(/ in JSON at position \d+.*$/s, '');
    return [{ path: '$', reason: `malformed JSON${positionOf(err as Error, text)}: ${message}` }];
  }
  return validate(doc);
}

/** " at line L, column C" from V8's "… at position N" (when it says so; newer V8 also says the line itself). */
function positionOf(err: Error, text: string): string {
  const m = /position (\d+)/.exec(err.message);
  const position = m ? Number(m[1]) : /end of JSON input/.test(err.message) ? text.length : null;
  if (position === null) return '';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

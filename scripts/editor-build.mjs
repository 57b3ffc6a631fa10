// Builds the web application (editor/ → editor/dist) when it is missing or older than its sources.
// Used by scripts/setup.mjs (so `npm start` serves a current build) and by the browser tests.
// Looking costs a directory walk of editor/src (milliseconds); building takes a few seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = '.build-stamp';

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why editor/dist needs building, or null when it is current. */
export function editorBuildNeeded(root) {
  const stamp = join(root, 'editor/dist', STAMP);
  if (!existsSync(stamp)) return 'editor/dist is missing';
  const inputs = ['editor/src', 'editor/index.html', 'editor/vite.config.ts', 'rules/ruleset.schema.json', 'package-lock.json']
    .map((p) => join(root, p)).filter((p) => existsSync(p));
  const built = statSync(stamp).mtimeMs;
  return inputs.some((p) => newestMtime(p) > built) ? 'editor/ changed since the last build' : null;
}

/** Builds when needed; returns true when editor/dist is current afterwards. */
export function ensureEditorBuilt(root, { say = console.log, quiet = false } = {}) {
  const reason = editorBuildNeeded(root);
  if (!reason) { if (!quiet) say('web application build is current (editor/dist)'); return true; }
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) {
    say(`${reason}, and Vite is not installed (production install?): the API will answer 503 at / until \`npm run editor:build\` runs where dev dependencies are installed.`);
    return false;
  }
  say(`${reason}: building the web application…`);
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'editor/vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { say('the web application did not build (see above); the API still starts.'); return false; }
  writeFileSync(join(root, 'editor/dist', STAMP), `${new Date().toISOString()}\n`);
  say('web application built into editor/dist');
  return true;
}

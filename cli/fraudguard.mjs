#!/usr/bin/env node
// The `fraudguard` command (package.json bin): loads the TypeScript CLI through tsx's loader.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// `bench` runs the product in this process, so it runs with the product's runtime flags (the
// package.json scripts' and the Dockerfile's), which node takes only when it starts.
const RUNTIME_FLAGS = ['--max-semi-space-size=64'];
// Given either on the command line or in NODE_OPTIONS (the Docker image sets it there).
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (process.argv[2] === 'bench' && !RUNTIME_FLAGS.every((flag) => given.includes(flag))) {
  const child = spawnSync(process.execPath, [...RUNTIME_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));

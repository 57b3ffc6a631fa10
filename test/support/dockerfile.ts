import { execFileSync, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/**
 * The few Dockerfile instructions FraudGuard's image uses, read so that a test can carry out its stages
 * on this machine, which has no Docker engine: each stage's WORKDIR becomes a directory, COPY copies from
 * the build context (the checkout's tracked files less .dockerignore) or from an earlier stage, RUN runs in
 * a shell there with the stage's ENV. An instruction outside that set fails the reading, so the image can
 * not grow a step the test silently skips.
 */
export type Step =
  | { kind: 'copy'; from: string | null; sources: string[]; dest: string }
  | { kind: 'run'; command: string }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'cmd'; argv: string[] };

export interface Stage { name: string; base: string; workdir: string; steps: Step[] }

export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, instruction = '', rest = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    const op = instruction.toUpperCase();
    if (op === 'FROM') {
      const [base = '', as, name] = rest.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : `stage-${stages.length}`, base, workdir: '/', steps: [] });
      continue;
    }
    if (!stage) throw new Error(`Dockerfile: ${op} before any FROM`);
    if (op === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, rest);
    else if (op === 'EXPOSE') continue;
    else if (op === 'RUN') stage.steps.push({ kind: 'run', command: rest });
    else if (op === 'CMD') stage.steps.push({ kind: 'cmd', argv: JSON.parse(rest) as string[] });
    else if (op === 'ENV') {
      const [, name = '', value = ''] = /^([A-Za-z_][A-Za-z0-9_]*)[= ](.*)$/.exec(rest) ?? [];
      stage.steps.push({ kind: 'env', name, value });
    } else if (op === 'COPY') {
      const words = rest.split(/\s+/);
      const from = words[0]?.startsWith('--from=') ? (words.shift() as string).slice('--from='.length) : null;
      const dest = words.pop() as string;
      stage.steps.push({ kind: 'copy', from, sources: words, dest });
    } else {
      throw new Error(`Dockerfile: ${op} is not an instruction this emulation carries out`);
    }
  }
  return stages;
}

/** The files `COPY` sees: what git tracks, less what .dockerignore names (plain paths, as ours are). */
export function buildContext(root: string): string[] {
  const ignored = existsSync(join(root, '.dockerignore'))
    ? readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')).filter((l) => l && !l.startsWith('#'))
    : [];
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  return tracked.filter((f) => !ignored.some((i) => f === i || f.startsWith(`${i}/`)) && existsSync(join(root, f)));
}

export interface BuiltStage { name: string; dir: string; env: Record<string, string>; cmd: string[] | null }

/**
 * Carries out `stages` in directories under `into`, each stage's WORKDIR being its directory, and returns
 * them with the environment and command the last instructions left. `runEnv` is added to every RUN
 * (where packages come from, say), never to what the stage itself declares.
 */
export function buildStages(stages: Stage[], root: string, into: string, runEnv: Record<string, string> = {}): BuiltStage[] {
  const context = buildContext(root);
  const built: BuiltStage[] = [];
  for (const stage of stages) {
    const dir = join(into, stage.name);
    mkdirSync(dir, { recursive: true });
    const inStage = (path: string) => join(dir, posix.relative(stage.workdir, posix.resolve(stage.workdir, path)));
    const env: Record<string, string> = {};
    let cmd: string[] | null = null;
    for (const step of stage.steps) {
      if (step.kind === 'env') env[step.name] = step.value;
      else if (step.kind === 'cmd') cmd = step.argv;
      else if (step.kind === 'run') {
        execSync(step.command, { cwd: dir, shell: '/bin/sh', stdio: 'pipe', env: { ...process.env, ...runEnv, ...env }, maxBuffer: 64 * 1024 * 1024 });
      } else if (step.from !== null) {
        const source = built.find((b) => b.name === step.from);
        const earlier = stages.find((s) => s.name === step.from);
        if (!source || !earlier) throw new Error(`Dockerfile: COPY --from=${step.from}: no such stage before ${stage.name}`);
        for (const path of step.sources) cpSync(join(source.dir, posix.relative(earlier.workdir, path)), inStage(step.dest), { recursive: true });
      } else {
        const intoDir = step.dest.endsWith('/') || step.sources.length > 1;
        for (const path of step.sources) {
          const prefix = path === '.' ? '' : path.replace(/\/$/, '');
          const files = context.filter((f) => prefix === '' || f === prefix || f.startsWith(`${prefix}/`));
          if (files.length === 0) throw new Error(`Dockerfile: COPY ${path}: not in the build context`);
          for (const file of files) {
            const single = file === prefix && statSync(join(root, file)).isFile();
            const target = single ? (intoDir ? join(inStage(step.dest), posix.basename(file)) : inStage(step.dest)) : join(inStage(step.dest), prefix === '' ? file : file.slice(prefix.length + 1));
            mkdirSync(dirname(target), { recursive: true });
            cpSync(join(root, file), target);
          }
        }
      }
    }
    built.push({ name: stage.name, dir, env, cmd });
  }
  return built;
}

type Command = { usage: string; load: () => Promise<(argv: string[]) => Promise<number>> };

// Each command lives in its own module, loaded only when used so `rules validate` starts fast.
const COMMANDS: Record<string, Command> = {
  'rules validate': { usage: 'rules validate FILE…', load: async () => (await import('./commands/rules-validate.ts')).run },
  'features export': { usage: 'features export --data DIR --from DATE --to DATE --out FILE', load: async () => (await import('./commands/features-export.ts')).run },
  'simulate': { usage: 'simulate --data DIR --from DATE --to DATE [--candidate RULESET_FILE_OR_VERSION] [--model ONNX_OR_VERSION] [--json FILE] [--decisions FILE]', load: async () => (await import('./commands/simulate.ts')).run },
  'models register': { usage: 'models register FILE.onnx --meta FILE.json', load: async () => (await import('./commands/models-register.ts')).run },
  'audit verify': { usage: 'audit verify [--database-url URL] [--schema NAME] [--anchor SEQ:HASH] [--json]', load: async () => (await import('./commands/audit-verify.ts')).run },
  'bench': { usage: 'bench [--json FILE] [decisions|rules|features|scoring…]', load: async () => (await import('../bench/run.ts')).runBench },
};

function help(): string {
  return ['Usage: fraudguard <command>', '', ...Object.values(COMMANDS).map((c) => `  fraudguard ${c.usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help());
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0] as string, argv.slice(1)];
  const command = COMMANDS[name];
  if (!command) {
    console.error(`fraudguard: unknown command "${argv.join(' ')}"\n\n${help()}`);
    return 2;
  }
  let run: (argv: string[]) => Promise<number>;
  try {
    run = await command.load();
  } catch (err) {
    console.error(`fraudguard ${name}: not available in this build (${(err as Error).message})`);
    return 2;
  }
  return run(rest);
}

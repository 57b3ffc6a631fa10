import { USAGE } from './usage.ts';

type Command = { usage: string; load: () => Promise<(argv: string[]) => Promise<number>> };

// Each command lives in its own module, loaded only when used so `rules validate` starts fast.
const COMMANDS: Record<keyof typeof USAGE, Command> = {
  'rules validate': { usage: USAGE['rules validate'], load: async () => (await import('./commands/rules-validate.ts')).run },
  'features export': { usage: USAGE['features export'], load: async () => (await import('./commands/features-export.ts')).run },
  'simulate': { usage: USAGE['simulate'], load: async () => (await import('./commands/simulate.ts')).run },
  'models register': { usage: USAGE['models register'], load: async () => (await import('./commands/models-register.ts')).run },
  'audit verify': { usage: USAGE['audit verify'], load: async () => (await import('./commands/audit-verify.ts')).run },
  'bench': { usage: USAGE['bench'], load: async () => (await import('../bench/run.ts')).runBench },
};

function help(): string {
  return ['Usage: fraudguard <command>', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help());
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = two in COMMANDS ? [two, argv.slice(2)] : [argv[0] as string, argv.slice(1)];
  const command = (COMMANDS as Record<string, Command>)[name];
  if (!command) {
    console.error(`fraudguard: unknown command "${argv.join(' ')}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}`);
    return 0;
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

import { USAGE } from './usage.ts';

type Load = () => Promise<(argv: string[]) => Promise<number>>;
type Name = keyof typeof USAGE;

// Each command lives in its own module, loaded only when used so `rules validate` starts fast.
const COMMANDS: Record<Name, Load> = {
  'rules validate': async () => (await import('./commands/rules-validate.ts')).run,
  'features export': async () => (await import('./commands/features-export.ts')).run,
  'simulate': async () => (await import('./commands/simulate.ts')).run,
  'models register': async () => (await import('./commands/models-register.ts')).run,
  'audit verify': async () => (await import('./commands/audit-verify.ts')).run,
  'bench': async () => (await import('../bench/run.ts')).runBench,
};

const isCommand = (name: string): name is Name => Object.hasOwn(COMMANDS, name);

function help(): string {
  return ['Usage: fraudguard <command>', '', ...Object.values(USAGE).map((usage) => `  ${usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help());
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = isCommand(two) ? [two, argv.slice(2)] : [argv[0] as string, argv.slice(1)];
  if (!isCommand(name)) {
    console.error(`fraudguard: unknown command "${argv.join(' ')}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${USAGE[name]}`);
    return 0;
  }
  let run: (argv: string[]) => Promise<number>;
  try {
    run = await COMMANDS[name]();
  } catch (err) {
    console.error(`fraudguard ${name}: not available in this build (${(err as Error).message})`);
    return 2;
  }
  return run(rest);
}

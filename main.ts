// `npm start`: the decision API and a worker, with embedded services for whatever is not configured.
import { ConfigError, loadConfig } from './config.ts';
import { start } from './runtime/start.ts';
import { StartupError } from './runtime/startup-error.ts';

try {
  const running = await start(loadConfig());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.log.info({ signal }, 'stopping');
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A closed terminal: the embedded servers run in process groups of their own and hear nothing of it.
  process.on('SIGHUP', () => void stop('SIGHUP'));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message
    : `FraudGuard could not start: ${err instanceof StartupError ? err.message : (err as Error).stack ?? String(err)}`);
  process.exit(1);
}

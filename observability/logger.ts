import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino censors wherever they appear in a log line's object (one level of nesting covered by
 * `*.`; our code never logs request bodies or headers wholesale, this is the net under that rule).
 */
export const REDACTED_PATHS = [
  'authorization', 'cookie', 'password', 'new_password', 'current_password', 'passwordHash', 'password_hash',
  'token', 'totp', 'secret', 'totpSecret', 'totp_secret', 'apiKey', 'api_key', 'key',
  '*.authorization', '*.cookie', '*.password', '*.new_password', '*.current_password', '*.passwordHash', '*.password_hash',
  '*.token', '*.totp', '*.secret', '*.totpSecret', '*.totp_secret', '*.apiKey', '*.api_key', '*.key',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie',
  'err.config.headers.authorization', 'err.request.headers.authorization',
];

export interface LoggerSettings {
  level: LoggerOptions['level'];
  /** Where lines go (default stdout); tests pass a stream to read what was logged. */
  destination?: DestinationStream | undefined;
}

/** The one way FraudGuard builds its logger: structured JSON, secrets redacted. */
export function createLogger({ level, destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'fraudguard' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords are stored as argon2id PHC strings (salt and parameters inside). The parameters are
 * OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane): about 20 ms a hash here,
 * slow enough to make offline guessing costly, fast enough that sign-in stays snappy.
 */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work a single sign-in can ask of argon2. */
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * Verifying against this hash when the account does not exist makes an unknown username take as
 * long as a wrong password, so response times do not reveal which usernames exist.
 */
let decoy: Promise<string> | null = null;
export async function spendVerification(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await verifyPassword(await decoy, password);
}

// The most common passwords of 12 characters or more in public breach corpora (lower-cased):
// a short list, because the length rule already rules out the bulk of common passwords.
const COMMON = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789abc', '1234567890qwerty', 'qwertyuiop123',
  'qwertyuiopasdf', 'qwerty123456', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3', 'q1w2e3r4t5y6',
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'password1234!', 'password123!',
  'iloveyou1234', 'letmein12345', 'welcome12345', 'welcome123456', 'administrator', 'administrator1',
  'adminadmin123', 'changeme1234', 'changemenow1', 'football1234', 'baseball1234', 'starwars1234',
  'sunshine1234', 'princess1234', 'monkey123456', 'dragon123456', 'trustno11234', 'abcdefghijkl',
  'abc123456789', 'aaaaaaaaaaaa', '111111111111', '000000000000', 'secret123456', 'fraudguard123',
  'fraudguard1234', 'p@ssw0rd1234', 'p@ssword1234', 'passw0rd1234', 'correcthorsebatterystaple',
]);

export type PasswordProblem = string;

/** The password rules: what is wrong with a candidate, in words a person can act on; [] when acceptable. */
export function passwordProblems(password: string, username: string): PasswordProblem[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  const lower = password.toLowerCase();
  if (username && lower.includes(username.toLowerCase())) problems.push('must not contain the username');
  if (COMMON.has(lower)) problems.push('is one of the most common passwords; choose another');
  else if (new Set(lower).size < 4) problems.push('must use more than three different characters');
  return problems;
}

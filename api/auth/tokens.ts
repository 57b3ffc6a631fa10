import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets: API keys (`fgk_…`) for machines and session tokens (`fgs_…`) for people.
 * The prefix says which kind a bearer is, so one lookup suffices.
 *
 * Both are 256 random bits, and only their SHA-256 is stored. A fast hash is right here, unlike for
 * passwords: a password is guessable and needs a slow, salted hash (argon2) to make guessing costly,
 * but nobody can guess among 2^256 random keys, so a stolen hash table is useless and a slow hash
 * would only add latency to every decision request. The hash being deterministic also lets the
 * database find a key by it (an index on the hash), without a per-key salt to try.
 */
export const API_KEY_PREFIX = 'fgk_';
export const SESSION_PREFIX = 'fgs_';

export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The part of a key a listing may show: the kind and a few characters, never enough to use it. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + 6);
}

/** Short public identifiers (key ids). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

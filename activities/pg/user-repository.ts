import type { Db } from '../../db/pool.ts';
import type { Role } from '../../api/permissions.ts';

export interface UserRecord {
  username: string;
  roles: Role[];
  totpEnabled: boolean;
  failedLogins: number;
  lockedAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** What sign-in needs beyond the public record; never leaves the auth code. */
export interface UserCredentials extends UserRecord {
  passwordHash: string;
  totpSecret: string | null;
  totpLastStep: number | null;
}

interface Row {
  username: string; roles: Role[]; totp_enabled: boolean; failed_logins: number; locked_at: Date | null;
  created_by: string; created_at: Date; password_hash: string; totp_secret: string | null; totp_last_step: number | null;
}

const PUBLIC = 'username, roles, totp_enabled, failed_logins, locked_at, created_by, created_at';
const toRecord = (r: Row): UserRecord => ({
  username: r.username, roles: r.roles, totpEnabled: r.totp_enabled, failedLogins: r.failed_logins,
  lockedAt: r.locked_at ? r.locked_at.toISOString() : null, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
});

/** Users and their sign-in sessions. Sessions are found by the SHA-256 of their token. */
export function createUserRepository(db: Db) {
  return {
    /** Inserts a user; false when the username is taken. */
    async insert(u: { username: string; passwordHash: string; roles: Role[]; createdBy: string }): Promise<UserRecord | null> {
      const { rows } = await db.query<Row>(
        `INSERT INTO users (username, password_hash, roles, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO NOTHING RETURNING ${PUBLIC}`, [u.username, u.passwordHash, u.roles, u.createdBy]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async get(username: string): Promise<UserRecord | null> {
      const { rows } = await db.query<Row>(`SELECT ${PUBLIC} FROM users WHERE username = $1`, [username]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async credentials(username: string): Promise<UserCredentials | null> {
      const { rows } = await db.query<Row>(`SELECT ${PUBLIC}, password_hash, totp_secret, totp_last_step FROM users WHERE username = $1`, [username]);
      const r = rows[0];
      return r ? { ...toRecord(r), passwordHash: r.password_hash, totpSecret: r.totp_secret, totpLastStep: r.totp_last_step } : null;
    },

    async list(): Promise<UserRecord[]> {
      const { rows } = await db.query<Row>(`SELECT ${PUBLIC} FROM users ORDER BY username`);
      return rows.map(toRecord);
    },

    async setRoles(username: string, roles: Role[]): Promise<UserRecord | null> {
      const { rows } = await db.query<Row>(`UPDATE users SET roles = $2, updated_at = now() WHERE username = $1 RETURNING ${PUBLIC}`, [username, roles]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async setPassword(username: string, passwordHash: string): Promise<void> {
      await db.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1', [username, passwordHash]);
    },

    /**
     * Counts a failed sign-in, atomically, and locks the account when it reaches `maxFailures`.
     * Returns the state after the failure.
     */
    async recordFailure(username: string, maxFailures: number): Promise<{ failedLogins: number; locked: boolean } | null> {
      const { rows } = await db.query<{ failed_logins: number; locked_at: Date | null }>(
        `UPDATE users SET failed_logins = failed_logins + 1,
           locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= $2 THEN now() ELSE locked_at END
         WHERE username = $1 RETURNING failed_logins, locked_at`, [username, maxFailures]);
      const r = rows[0];
      return r ? { failedLogins: r.failed_logins, locked: r.locked_at !== null } : null;
    },

    async recordSuccess(username: string): Promise<void> {
      await db.query('UPDATE users SET failed_logins = 0 WHERE username = $1 AND failed_logins <> 0', [username]);
    },

    async unlock(username: string): Promise<UserRecord | null> {
      const { rows } = await db.query<Row>(
        `UPDATE users SET locked_at = NULL, failed_logins = 0, updated_at = now() WHERE username = $1 RETURNING ${PUBLIC}`, [username]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /** Stores a TOTP secret awaiting its first code (enrolment), replacing any pending one. */
    async setPendingTotp(username: string, secret: string): Promise<void> {
      await db.query('UPDATE users SET totp_secret = $2, totp_enabled = false, totp_last_step = NULL, updated_at = now() WHERE username = $1', [username, secret]);
    },

    /** Records an accepted TOTP step (enabling TOTP on the first); false if a code of that step or later was already used. */
    async acceptTotpStep(username: string, step: number): Promise<boolean> {
      const res = await db.query(
        `UPDATE users SET totp_enabled = true, totp_last_step = $2, updated_at = now()
         WHERE username = $1 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)`, [username, step]);
      return (res.rowCount ?? 0) > 0;
    },

    async resetTotp(username: string): Promise<void> {
      await db.query('UPDATE users SET totp_secret = NULL, totp_enabled = false, totp_last_step = NULL, updated_at = now() WHERE username = $1', [username]);
    },

    async createSession(tokenHash: Buffer, username: string, ttlSeconds: number): Promise<{ expiresAt: string }> {
      // Sessions end by time; sweeping the ended ones at each sign-in keeps the table small without a job.
      await db.query('DELETE FROM sessions WHERE expires_at < now()');
      const { rows } = await db.query<{ expires_at: Date }>(
        'INSERT INTO sessions (token_hash, username, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at',
        [tokenHash, username, ttlSeconds]);
      return { expiresAt: (rows[0] as { expires_at: Date }).expires_at.toISOString() };
    },

    /**
     * The user of a live session: not expired, not idle longer than `idleSeconds`, account not locked.
     * Marks the session as seen at most once a minute, to spare a write on every request.
     */
    async sessionUser(tokenHash: Buffer, idleSeconds: number): Promise<UserRecord | null> {
      const { rows } = await db.query<Row & { stale: boolean }>(
        `SELECT ${PUBLIC.split(', ').map((c) => `u.${c}`).join(', ')}, s.last_seen_at < now() - interval '1 minute' AS stale
         FROM sessions s JOIN users u USING (username)
         WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2) AND u.locked_at IS NULL`,
        [tokenHash, idleSeconds]);
      const r = rows[0];
      if (!r) return null;
      if (r.stale) await db.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
      return toRecord(r);
    },

    async deleteSession(tokenHash: Buffer): Promise<void> {
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },

    /** Signs a user out everywhere except, optionally, the current session (after a password change). */
    async deleteSessions(username: string, except?: Buffer): Promise<void> {
      await db.query('DELETE FROM sessions WHERE username = $1 AND ($2::bytea IS NULL OR token_hash <> $2)', [username, except ?? null]);
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;

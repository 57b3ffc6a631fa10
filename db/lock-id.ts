import { createHash } from 'node:crypto';

/**
 * A PostgreSQL advisory lock id for a name: 48 bits of its hash (pg_advisory_lock takes a bigint; Buffer reads
 * at most 48 bits into a number). Names, not numbers, so that locks of different purposes do not collide.
 */
export function advisoryLockId(name: string): number {
  return createHash('sha256').update(name).digest().readUIntBE(0, 6);
}

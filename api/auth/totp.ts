import { generateSecret, generateURI, verify } from 'otplib';

/**
 * TOTP second factor (RFC 6238, 30 s steps, 6 digits: what authenticator apps expect). A code is
 * accepted one step either side of now, for clocks that drift and codes typed at a step's end; the
 * step it matched is returned so the caller can refuse the same code twice.
 */
export const TOTP_ISSUER = 'FraudGuard';

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, username: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: username, secret });
}

/** The matched time step, or null when the code is wrong. */
export async function checkTotp(secret: string, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({ secret, token: code, epochTolerance: 30 });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

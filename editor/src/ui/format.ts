/** How figures read on screen: one place, so every screen says the same thing the same way. */

export const percent = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)} %`;

export const decimal = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits);

export const count = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : x.toLocaleString('en-GB');

export function money(amount: string | number | null | undefined, currency = 'EUR'): string {
  if (amount === null || amount === undefined) return '—';
  const n = typeof amount === 'number' ? amount : Number(amount);
  try {
    return n.toLocaleString('en-GB', { style: 'currency', currency, maximumFractionDigits: 2 });
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

export const dateTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '—';

/** "2h 05m", "3m 20s", "45s": a span for countdowns. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** What an SLA deadline means now: time left, or how long it is overdue. */
export function slaText(dueIso: string | null, overdue: boolean, now: number): { text: string; level: 'ok' | 'soon' | 'late' } {
  if (dueIso === null) return overdue ? { text: 'overdue (top tier)', level: 'late' } : { text: '—', level: 'ok' };
  const left = Date.parse(dueIso) - now;
  if (left <= 0) return { text: `overdue by ${span(-left)}`, level: 'late' };
  return { text: `${span(left)} left`, level: left < 30 * 60_000 ? 'soon' : 'ok' };
}

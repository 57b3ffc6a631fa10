import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureEditorBuilt } from '../../scripts/editor-build.mjs';
import type { TestStack } from '../../test/support/stack.ts';

/** What the browser tests share: the build, Chromium, signed-in pages, screenshots. */

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts/editor');

/** Debian's chromium (scripts/setup.mjs --test installs it), or CHROMIUM_PATH; null when there is none. */
export function chromiumPath(): string | null {
  const candidates = [process.env['CHROMIUM_PATH'], readTools()?.chromium, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => typeof p === 'string' && existsSync(p)) ?? null;
}

function readTools(): { chromium?: string } | null {
  try { return JSON.parse(readFileSync(join(ROOT, '.data/tools.json'), 'utf8')) as { chromium?: string }; } catch { return null; }
}

/** Builds editor/dist once if it is missing or stale; throws when it cannot. */
export function buildEditor(): void {
  if (!ensureEditorBuilt(ROOT, { say: (m: string) => console.log(`[editor] ${m}`), quiet: true })) {
    throw new Error('The web application could not be built: run `npm run editor:build` and read its errors.');
  }
}

/** Headless Chromium with a fresh profile (playwright-core makes one per launch) and no background traffic. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page whose console errors and uncaught exceptions are collected (a test asserts there are none). */
export async function newPage(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => {
    errors.push(`uncaught: ${err.message}`);
    if (process.env['E2E_DEBUG']) console.log(`[page ${page.url()}] ${err.stack ?? err.message}`);
  });
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
  return { context, page, errors };
}

export async function signInThroughPage(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').filter({ hasText: user.username }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export const PASSWORD = 'quiet-lantern-93-orbit';

/** A person with these roles, made through the admin API (the stack's admin key). */
export async function aPerson(stack: TestStack, username: string, roles: string[]): Promise<{ username: string; password: string }> {
  const res = await stack.post('/v1/admin/users', { username, password: PASSWORD, roles });
  if (res.status !== 201) throw new Error(`could not create ${username}: ${JSON.stringify(res.body)}`);
  return { username, password: PASSWORD };
}

/** Replaces the Monaco editor's whole text by pasting it (exactly as written: no auto-closing or re-indenting). */
export async function replaceEditorText(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}

/** The Monaco token showing `text` (a JSON string token includes its quotes). */
export const token = (page: Page, text: string) => page.locator('.monaco-editor .view-line span', { hasText: text }).filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();

/** Console errors other than failed requests (the UI shows those in words; tests check the words). */
export const realErrors = (errors: string[]) => errors.filter((e) => !e.includes('Failed to load resource'));

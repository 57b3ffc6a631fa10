import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { aTransaction, startStack, type TestStack } from '../../test/support/stack.ts';
import { waitFor } from '../../test/support/wait.ts';
import { aPerson, buildEditor, chromiumPath, launchChromium, newPage, realErrors, screenshot, signInThroughPage } from './support.ts';

/** Reviews what costs 1,000 or more; the score grows with the amount, so sorting by either differs from the SLA order only in ties. */
const QUEUE_RULES = {
  name: 'queue-rules',
  rules: [
    { name: 'Needs a look', priority: 10, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 1000 }] },
      event: { type: 'review', params: { code: 'MANUAL_REVIEW', reason: 'Amount of 1,000 or more' } } },
    { name: 'Some risk', priority: 5, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 1000 }] },
      event: { type: 'score', params: { delta: 0.3 } } },
    { name: 'More risk', priority: 5, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 3000 }] },
      event: { type: 'score', params: { delta: 0.4 } } },
  ],
  policy: { precedence: ['DECLINE', 'REVIEW', 'APPROVE'] },
};

const chromium = chromiumPath();

/** An analyst works the review queue in a real browser: filters, sorts, opens a case and resolves it with the keyboard. */
describe('the review queue in the browser', { skip: chromium ? false : 'no Chromium: run `node scripts/setup.mjs --test` (apt-get install chromium) or set CHROMIUM_PATH' }, () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const analyst = { username: 'ana-analyst', password: '' };
  const txs: Record<string, string> = {};

  before(async () => {
    buildEditor();
    // One admin key authors and publishes here (four-eyes is the authoring test's subject).
    stack = await startStack({ FOUR_EYES: 'false' });
    Object.assign(analyst, await aPerson(stack, analyst.username, ['analyst']));
    const created = await stack.post('/v1/rulesets', { name: QUEUE_RULES.name, document: QUEUE_RULES });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const version = await stack.post(`/v1/rulesets/${QUEUE_RULES.name}/versions`, { revision: created.body.draft.revision });
    assert.equal(version.status, 201, JSON.stringify(version.body));
    const published = await stack.post(`/v1/rulesets/${QUEUE_RULES.name}/versions/1/publish`, {});
    assert.equal(published.status, 200, JSON.stringify(published.body));
    // Workers follow the new deployment within seconds: wait for a decision by it before opening cases.
    await waitFor(async () => (await stack.post('/v1/decisions', aTransaction({ amount: '5.00' }))).body.ruleset_version === 'queue-rules@1', 20_000, 'the published ruleset deciding');
    for (const [label, amount, customer] of [['small', '1500.00', 'c-ana-1'], ['large', '4200.00', 'c-ana-2'], ['middle', '2500.00', 'c-ana-3']] as const) {
      const tx = aTransaction({ amount, customer_id: customer });
      const res = await stack.post('/v1/decisions', tx);
      assert.equal(res.body.decision, 'REVIEW', JSON.stringify(res.body));
      txs[label] = tx['id'] as string;
    }
    await waitFor(async () => (await stack.get('/v1/cases')).body.cases?.length === 3, 30_000, 'three cases opened');
    browser = await launchChromium(chromium as string);
    ({ page, errors } = await newPage(browser, stack.url));
  });
  after(async () => {
    if (page) await screenshot(page, 'zz-queue-last-state').catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await stack?.dropSchema();
  });

  it('shows an analyst the queue with live SLA countdowns, filtered and sorted', async () => {
    await signInThroughPage(page, analyst);
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    const queue = page.getByTestId('queue');
    await queue.locator('tbody tr[data-case]').nth(2).waitFor();
    assert.equal(await queue.locator('tbody tr[data-case]').count(), 3);
    assert.match(await queue.locator('td.sla').first().innerText(), /^\d+h \d\dm left$/);
    await screenshot(page, '20-review-queue');

    await page.getByLabel('Amount from').fill('3000');
    await page.getByLabel('Amount from').blur();
    await waitFor(async () => (await queue.locator('tbody tr[data-case]').count()) === 1, 10_000, 'the amount filter');
    await queue.getByText(txs['large'] as string).waitFor();
    await page.getByLabel('Amount from').fill('');
    await page.getByLabel('Amount from').blur();
    await waitFor(async () => (await queue.locator('tbody tr[data-case]').count()) === 3, 10_000, 'the filter cleared');

    await queue.getByRole('button', { name: 'Amount' }).click();
    const firstRow = () => queue.locator('tbody tr[data-case]').first().locator('th').innerText();
    assert.equal(await firstRow(), txs['large'], 'largest amount first');
    await queue.getByRole('button', { name: /Amount/ }).click();
    assert.equal(await firstRow(), txs['small'], 'smallest amount first');
  });

  it('opens a case from the queue with the keyboard and declines it with c then d', async () => {
    // Sorted by amount ascending: j moves to the second row (the middle amount), Enter opens it.
    await page.locator('a.case-link').first().focus();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${txs['middle']}` }).waitFor();
    await page.getByTestId('case-status').filter({ hasText: 'open' }).waitFor();
    await page.getByTestId('scores').getByText('MANUAL_REVIEW').waitFor();
    const { models } = (await stack.get(`/v1/cases/case-${txs['middle']}`)).body.decision as { models: { role: string; version: string }[] };
    assert.ok(models.length > 0, 'decided with the committed models');
    for (const m of models) await page.getByTestId('scores').getByText(m.version).waitFor();
    await page.getByTestId('fired-rules').getByText('Needs a look').waitFor();
    await page.getByTestId('features').waitFor();
    await page.getByTestId('case-sla').waitFor();
    await screenshot(page, '21-case');

    await page.keyboard.press('c');
    await page.getByTestId('case-status').filter({ hasText: 'claimed' }).waitFor();
    await page.getByText(`claimed by ${analyst.username}`).waitFor();
    await page.keyboard.press('d');
    const dialog = page.getByRole('dialog', { name: 'Decline the transaction' });
    await dialog.getByLabel('Reason code').fill('STOLEN_CARD');
    await screenshot(page, '22-decline-dialog');
    await dialog.getByRole('button', { name: 'Decline' }).click();
    await page.getByTestId('case-status').filter({ hasText: 'resolved declined' }).waitFor();
    await page.getByTestId('timeline').getByText('claim', { exact: false }).first().waitFor();
    await screenshot(page, '23-case-declined');

    const stored = await stack.get(`/v1/cases/case-${txs['middle']}`);
    assert.equal(stored.body.case.status, 'resolved_declined');
    assert.equal(stored.body.case.resolved_by, analyst.username);
    assert.equal(stored.body.case.reason_code, 'STOLEN_CARD');
  });

  it('approves another case with c then a, and the queue no longer lists the resolved ones', async () => {
    await page.goto(`/#/cases/case-${txs['small']}`);
    await page.getByTestId('case-status').filter({ hasText: 'open' }).waitFor();
    await page.keyboard.press('c');
    await page.getByTestId('case-status').filter({ hasText: 'claimed' }).waitFor();
    await page.keyboard.press('a');
    await page.getByTestId('case-status').filter({ hasText: 'resolved approved' }).waitFor();

    await page.getByRole('link', { name: '← Review queue' }).click();
    const queue = page.getByTestId('queue');
    await waitFor(async () => (await queue.locator('tbody tr[data-case]').count()) === 1, 10_000, 'only the open case left');
    await queue.getByText(txs['large'] as string).waitFor();
    assert.deepEqual(realErrors(errors), [], 'no script errors on any screen');
  });
});

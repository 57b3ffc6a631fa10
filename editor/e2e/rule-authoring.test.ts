import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { aTransaction, startStack, type TestStack } from '../../test/support/stack.ts';
import {
  aPerson, buildEditor, chromiumPath, launchChromium, newPage, realErrors, replaceEditorText, screenshot, signInThroughPage, token,
} from './support.ts';

const RULESET = 'e2e-rules';

/** The draft as the author first writes it: a misspelt fact (the API's check) and a misspelt event type (the schema's). */
const WITH_ERRORS = `{
  "name": "${RULESET}",
  "description": "Large payments go to review",
  "rules": [
    {
      "name": "Large e2e amount",
      "priority": 10,
      "conditions": { "all": [ { "fact": "amont", "operator": "greaterThan", "value": 5000 } ] },
      "event": { "type": "reveiw", "params": { "code": "E2E_LARGE", "reason": "More than 5,000" } }
    }
  ],
  "policy": { "precedence": ["DECLINE", "REVIEW", "APPROVE"] }
}
`;

const chromium = chromiumPath();

/**
 * A rule author, in a real browser against the real API and worker: writes a rule with mistakes and
 * sees them underlined, fixes them with completion, compares, tests, simulates, publishes with a
 * second person's approval, and sees the published version decide the next transaction.
 */
describe('authoring, testing, simulating and publishing a rule in the browser', { skip: chromium ? false : 'no Chromium: run `node scripts/setup.mjs --test` (apt-get install chromium) or set CHROMIUM_PATH' }, () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const author = { username: 'rita-author', password: '' };
  const approver = { username: 'omar-approver', password: '' };
  let decidedId = '';

  before(async () => {
    buildEditor();
    stack = await startStack();
    Object.assign(author, await aPerson(stack, author.username, ['rule_author']));
    Object.assign(approver, await aPerson(stack, approver.username, ['rule_approver']));
    browser = await launchChromium(chromium as string);
    ({ page, errors } = await newPage(browser, stack.url));
  });
  /** The approver, in a browser of their own, approves a request on the Approvals screen. */
  async function approveAs(person: { username: string; password: string }, approvalId: string, shot: string): Promise<void> {
    const other = await newPage(browser, stack.url);
    await signInThroughPage(other.page, person);
    await other.page.getByRole('link', { name: 'Approvals' }).click();
    await other.page.getByRole('button', { name: `Approve #${approvalId}` }).waitFor();
    await screenshot(other.page, shot);
    await other.page.getByRole('button', { name: `Approve #${approvalId}` }).click();
    await other.page.getByTestId('approval-decided').filter({ hasText: `Approval #${approvalId} approved.` }).waitFor();
    assert.deepEqual(realErrors(other.errors), []);
    await other.context.close();
  }

  after(async () => {
    // What the page showed last: the first thing to look at when a step failed.
    if (page) await screenshot(page, 'zz-last-state').catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await stack?.dropSchema();
  });

  it('signs the author in and lists the rulesets with the one in force', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to FraudGuard' }).waitFor();
    await page.getByTestId('no-account-help').filter({ hasText: 'POST /v1/admin/users' }).waitFor();
    await page.getByLabel('Username').fill(author.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The username or password is incorrect.' }).waitFor();
    await screenshot(page, '01-sign-in-refused');
    await signInThroughPage(page, author);
    await page.getByRole('heading', { name: 'Rulesets' }).waitFor();
    await page.getByText('live: default@1').waitFor();
    await screenshot(page, '02-rulesets');
  });

  it('underlines a misspelt event type as the author types and a misspelt fact once the API has checked it', async () => {
    await page.getByLabel('Name', { exact: true }).fill(RULESET);
    await page.getByRole('button', { name: 'Create ruleset' }).click();
    await page.locator('.monaco-editor .view-lines').waitFor();
    await replaceEditorText(page, WITH_ERRORS);
    const problems = page.getByTestId('problems');
    await problems.getByText('unknown fact "amont"; did you mean "amount"?').waitFor();
    await problems.getByText(/Value is not accepted/).waitFor();
    assert.equal(await problems.locator('li').count(), 2, await problems.innerText());
    assert.ok(await page.locator('.monaco-editor .squiggly-error').count() >= 2, 'both places are underlined in the editor');
    await page.getByTestId('check-status').filter({ hasText: '2 problems' }).waitFor();
    await screenshot(page, '03-editor-with-errors');
  });

  it('fixes the fact with completion (documented on hover) and the event type by typing, and the markers go', async () => {
    // Empty the misspelt fact's string and ask for completion inside it.
    await token(page, '"amont"').dblclick();
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget');
    await suggest.waitFor();
    await page.keyboard.type('amou');
    const option = suggest.locator('.monaco-list-row', { hasText: 'amount' }).first();
    await option.waitFor();
    await screenshot(page, '04-fact-completion');
    await suggest.locator('.monaco-list-row.focused', { hasText: 'amount' }).waitFor();
    await page.keyboard.press('Enter');
    await token(page, '"amount"').waitFor();

    await token(page, '"amount"').hover();
    await page.locator('.monaco-hover').getByText('Amount in the transaction\'s currency, as a number').waitFor();
    await screenshot(page, '05-fact-hover');

    await token(page, '"reveiw"').dblclick();
    await page.keyboard.type('review');
    await page.getByTestId('check-status').filter({ hasText: 'No problems found' }).waitFor();
    assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 0);

    await page.keyboard.press('Control+S');
    await page.getByTestId('draft-status').filter({ hasText: 'Draft revision 2 · saved' }).waitFor();
    await page.getByLabel('What changed').fill('Large payments to review');
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByTestId('version-saved').filter({ hasText: `Saved ${RULESET}@1.` }).waitFor();
    await screenshot(page, '06-version-saved');
  });

  it('compares the draft with the saved version side by side', async () => {
    await token(page, '5000').dblclick();
    await page.keyboard.type('4000');
    // Formatted like the saved version, the comparison shows the one value that changed. Both by key,
    // at once: the save waits for the format in progress (Monaco formats asynchronously).
    await page.keyboard.press('Shift+Alt+F');
    await page.keyboard.press('Control+S');
    await page.getByTestId('draft-status').filter({ hasText: 'Draft revision 3 · saved' }).waitFor();
    await page.getByRole('link', { name: 'Compare' }).click();
    await page.getByTestId('diff-editor').locator('.monaco-diff-editor').waitFor();
    await page.getByTestId('diff-changes').getByText('Large e2e amount').waitFor();
    await page.locator('.monaco-diff-editor .char-insert, .monaco-diff-editor .line-insert').first().waitFor();
    await screenshot(page, '07-diff');
  });

  it('tests the draft on a pasted transaction, condition by condition', async () => {
    await page.getByRole('link', { name: 'Test' }).click();
    await page.getByLabel('Transaction JSON (as POST /v1/decisions takes it)').fill(JSON.stringify(aTransaction({ amount: '4500.00' }), null, 2));
    await page.getByRole('button', { name: 'Run the draft' }).click();
    const result = page.getByTestId('test-result');
    await result.getByTestId('test-decision').filter({ hasText: 'REVIEW' }).waitFor();
    const rule = result.locator('li[data-rule="Large e2e amount"]');
    assert.match(await rule.innerText(), /✔ fired/);
    assert.match(await rule.locator('.leaf').innerText(), /amount greaterThan 4000 — passed \(value: 4500\)/);

    await page.getByLabel('Transaction JSON (as POST /v1/decisions takes it)').fill(JSON.stringify(aTransaction({ amount: '12.00' }), null, 2));
    await page.getByRole('button', { name: 'Run the draft' }).click();
    await result.getByTestId('test-decision').filter({ hasText: 'APPROVE' }).waitFor();
    assert.match(await rule.locator('.leaf').innerText(), /failed \(value: 12\)/);
    await screenshot(page, '08-test-panel');
  });

  it('simulates the draft against the champion and shows the figures as charts', async () => {
    await page.getByRole('link', { name: 'Simulate' }).click();
    // The panel offers the last week the data set holds, and says what it holds.
    const span = page.getByTestId('sim-source-span');
    await span.waitFor();
    assert.equal(await span.innerText(), 'Holds 2018-04-01 to 2018-08-31');
    assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '2018-08-25');
    assert.equal(await page.getByLabel('To (inclusive)').inputValue(), '2018-08-31');
    // Early in the data set: a simulation warms its features on the weeks before its start, and
    // there are only two days before this one (the default suite's time budget).
    // Exact: until the panel has replaced the test panel, 'From' also matches its "Pick one from history".
    await page.getByLabel('From', { exact: true }).fill('2018-04-03');
    await page.getByLabel('To (inclusive)').fill('2018-04-04');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByTestId('sim-results').waitFor({ timeout: 600_000 });
    const charts = page.getByTestId('charts');
    for (const id of ['chart-mix', 'chart-quality', 'chart-amount', 'chart-rules', 'chart-daily']) await charts.getByTestId(id).locator('canvas').waitFor();
    await page.getByTestId('figures').waitFor();
    await page.getByTestId('changed-decisions').waitFor();
    await screenshot(page, '09-simulation');
  });

  it('publishes the version after confirmation, once a second person has approved it', async () => {
    await page.getByRole('link', { name: 'Versions & publish' }).click();
    await page.getByRole('button', { name: `Publish ${RULESET}@1…` }).click();
    const dialog = page.getByRole('dialog', { name: `Publish ${RULESET}@1?` });
    await dialog.getByTestId('publish-simulation').waitFor();
    await screenshot(page, '10-publish-confirmation');
    await dialog.getByTestId('confirm-publish').click();
    await dialog.getByTestId('approval-needed').waitFor();
    await dialog.getByRole('button', { name: 'Request approval' }).click();
    const requested = await dialog.getByTestId('approval-requested').innerText();
    const approvalId = /Approval #(\d+)/.exec(requested)?.[1];
    assert.ok(approvalId, requested);

    await approveAs(approver, approvalId, '11-approvals');

    await dialog.getByRole('button', { name: 'try again' }).click();
    await page.getByTestId('published').filter({ hasText: `${RULESET}@1 is now the champion's ruleset` }).waitFor();
    await page.getByTestId('versions').getByText('champion').waitFor();
    await screenshot(page, '12-published');
  });

  it('decides the next transaction with the published version', async () => {
    // A machine client submits transactions; workers pick the new deployment up within seconds.
    let decided: { transaction_id: string; ruleset_version: string; decision: string } | null = null;
    for (let i = 0; i < 100 && decided?.ruleset_version !== `${RULESET}@1`; i++) {
      const res = await stack.post('/v1/decisions', aTransaction({ amount: '7300.00', customer_id: `c-e2e-${i}` }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      decided = res.body;
      if (decided?.ruleset_version !== `${RULESET}@1`) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(decided?.ruleset_version, `${RULESET}@1`);
    assert.equal(decided?.decision, 'REVIEW');

    await page.goto(`/#/decisions/${decided.transaction_id}`);
    let shown = false;
    for (let i = 0; i < 50 && !shown; i++) {
      // Persisted just after the answer: the lookup retries until the record is there.
      shown = await page.getByTestId('decision-ruleset').filter({ hasText: `${RULESET}@1` }).isVisible();
      if (!shown) { await page.waitForTimeout(200); await page.reload(); }
    }
    await page.getByTestId('decision-outcome').filter({ hasText: 'REVIEW' }).waitFor();
    await page.getByTestId('fired-rules').getByText('Large e2e amount').waitFor();
    await page.getByTestId('decision-events').getByText('decided').waitFor();
    assert.equal((await stack.post('/v1/labels', { transaction_id: decided.transaction_id, fraud: true, source: 'chargeback', reason: '10.4' })).status, 201);
    await page.reload();
    await page.getByTestId('decision-labels').getByRole('row').filter({ hasText: 'chargeback' }).filter({ hasText: '10.4' }).waitFor();
    await screenshot(page, '13-decision');
    decidedId = decided.transaction_id;
  });

  it('tests the draft on a transaction picked from history, with the features and scores it was decided with', async () => {
    await page.goto(`/#/rulesets/${RULESET}/test`);
    await page.getByLabel('Pick one from history').check();
    await page.getByLabel('Transaction id').fill(decidedId);
    await page.getByRole('button', { name: 'Run the draft' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText('features: as recorded when it was decided').waitFor();
    await result.getByText(`recorded: REVIEW by ${RULESET}@1`).waitFor();
    assert.match(await result.locator('li[data-rule="Large e2e amount"] .leaf').innerText(), /passed \(value: 7300\)/);
  });

  it('shows the deployment\'s arms with their figures, and adds a challenger once a second person approves', async () => {
    await page.getByRole('link', { name: 'Deployments' }).click();
    const arms = page.getByTestId('arms');
    const champion = arms.locator('tbody tr').first();
    await champion.getByText(`${RULESET}@1`).waitFor();
    assert.match(await champion.innerText(), /100 %/);
    await screenshot(page, '14-deployments');

    await page.getByRole('button', { name: 'Change the deployment…' }).click();
    await page.getByRole('button', { name: 'Add a challenger' }).click();
    await page.locator('#arm-rs-1').fill('default@1');
    await page.getByLabel('Share of traffic (%)').fill('10');
    await page.getByLabel('Why (comment)').fill('Keep the old rules on a tenth of traffic');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByTestId('approval-needed').waitFor();
    await page.getByRole('button', { name: 'Request approval' }).click();
    const approvalId = /Approval #(\d+)/.exec(await page.getByTestId('approval-requested').innerText())?.[1];
    assert.ok(approvalId);
    await approveAs(approver, approvalId, '15-approvals-deployment');

    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployment version 3 is in force').waitFor();
    const challenger = arms.locator('tbody tr', { hasText: 'challenger-1' });
    await challenger.getByText('default@1').waitFor();
    assert.match(await challenger.innerText(), /10 %/);
    assert.match(await champion.innerText(), /90 %/);
    await screenshot(page, '16-deployment-changed');
    assert.deepEqual(realErrors(errors), [], 'no script errors on any screen');
  });
});

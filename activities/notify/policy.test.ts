import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { channelsByEventType, planFor, render, type Transports } from './policy.ts';
import { signature } from './webhook.ts';
import { redact } from './http-post.ts';

const all: Transports = { webhookUrl: 'https://hooks.bank.example/fraud', smtpConfigured: true, emailTo: ['ops@bank.example'], slackWebhookUrl: 'https://hooks.slack.com/services/T/B/secret' };
const none: Transports = { webhookUrl: undefined, smtpConfigured: false, emailTo: [], slackWebhookUrl: undefined };

describe('notification policy', () => {
  it('sends escalations on every configured channel by default, and the other events by webhook only', () => {
    const channels = channelsByEventType({}, all);
    assert.deepEqual(channels['case.escalated'], ['webhook', 'email', 'slack']);
    assert.deepEqual(channels['case.overdue'], ['webhook', 'email', 'slack']);
    assert.deepEqual(channels['decision.declined'], ['webhook']);
    assert.deepEqual(channels['case.opened'], ['webhook']);
    assert.deepEqual(channels['case.resolved'], ['webhook']);
  });

  it('drops the channels whose transport is not configured', () => {
    assert.deepEqual(channelsByEventType({}, none)['case.escalated'], []);
    assert.deepEqual(channelsByEventType({}, { ...all, smtpConfigured: false })['case.escalated'], ['webhook', 'slack']);
    assert.deepEqual(channelsByEventType({}, { ...all, emailTo: [] })['case.escalated'], ['webhook', 'slack'], 'e-mail needs recipients');
  });

  it('lets each event type choose its channels, recipients, webhook and templates', () => {
    const plan = planFor('case.resolved', { 'case.resolved': { channels: ['email'], email_to: ['leads@bank.example'], email_subject: 'Done: {{case_id}}' } }, { ...all, emailTo: [] });
    assert.deepEqual(plan.channels, ['email']);
    assert.deepEqual(plan.emailTo, ['leads@bank.example']);
    assert.equal(plan.email_subject, 'Done: {{case_id}}');
    const hooked = planFor('decision.declined', { 'decision.declined': { webhook_url: 'https://other.example/x' } }, none);
    assert.deepEqual(hooked.channels, ['webhook']);
    assert.equal(hooked.webhookUrl, 'https://other.example/x');
  });

  it('fills {{placeholders}} from the event, leaving unknown ones empty', () => {
    assert.equal(render('Case {{ case_id }} for {{amount}} {{currency}}{{nope}}', { case_id: 'case-1', amount: '12.50', currency: 'EUR' }), 'Case case-1 for 12.50 EUR');
    assert.equal(render('{{score}} {{flag}}', { score: 0.25, flag: false }), '0.25 false');
  });
});

describe('webhook signature', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw body with the shared secret', () => {
    const body = '{"id":"k","type":"case.opened"}';
    assert.equal(signature(body, 's3cret-s3cret-s3cret'), `sha256=${createHmac('sha256', 's3cret-s3cret-s3cret').update(body).digest('hex')}`);
    assert.notEqual(signature(body, 's3cret-s3cret-s3cret'), signature(`${body} `, 's3cret-s3cret-s3cret'));
  });

  it('keeps secrets in webhook URLs out of records', () => {
    assert.equal(redact('https://hooks.slack.com/services/T/B/secret'), 'https://hooks.slack.com/…');
    assert.equal(redact('http://127.0.0.1:9000/'), 'http://127.0.0.1:9000/');
  });
});

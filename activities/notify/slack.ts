import { postBody } from './http-post.ts';

/** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): a JSON body with `text`. */
export async function sendSlack(url: string, text: string, idempotencyKey: string, timeoutMs: number): Promise<void> {
  await postBody(url, JSON.stringify({ text }), { 'Idempotency-Key': idempotencyKey }, timeoutMs);
}

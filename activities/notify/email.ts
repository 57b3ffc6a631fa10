import nodemailer, { type Transporter } from 'nodemailer';

export interface Mailer {
  send(mail: { to: string[]; subject: string; text: string; idempotencyKey: string }): Promise<void>;
  close(): void;
}

/**
 * E-mail over SMTP (nodemailer). The Message-ID is derived from the idempotency key, so a mail
 * re-sent after a crash between sending and recording is recognisably the same message.
 */
export function createMailer(smtpUrl: string, from: string): Mailer {
  let transport: Transporter | null = null;
  return {
    async send({ to, subject, text, idempotencyKey }) {
      transport ??= nodemailer.createTransport(smtpUrl);
      const id = idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '.');
      await transport.sendMail({ from, to, subject, text, messageId: `<${id}@fraudguard>`, headers: { 'Idempotency-Key': idempotencyKey } });
    },
    close() { transport?.close(); transport = null; },
  };
}

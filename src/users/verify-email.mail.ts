// The verification email (the Go project's: a greeting and the link), sent through SMTP_URL by the
// worker (src/platform/jobs.ts, task send_verify_email) with nodemailer.
import nodemailer from 'nodemailer';

export interface MailConfig {
  /** Unset: no email is sent. */
  smtpUrl?: string;
  from: string;
  /** The base of the link: where users reach the HTTP API. */
  publicUrl: string;
}

export interface VerifyEmailMessage {
  id: string | number;
  email: string;
  fullName: string;
  secretCode: string;
}

export const verifyLink = (publicUrl: string, m: Pick<VerifyEmailMessage, 'id' | 'secretCode'>) =>
  `${publicUrl}/verify_email?email_id=${encodeURIComponent(String(m.id))}&secret_code=${encodeURIComponent(m.secretCode)}`;

export interface Mailer {
  send(m: VerifyEmailMessage): Promise<void>;
  close(): void;
}

export function createMailer(config: MailConfig): Mailer | undefined {
  if (!config.smtpUrl) return undefined;
  // Bounded: a server that does not answer fails the attempt (the job retries), it never hangs the worker.
  const url = new URL(config.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(m) {
      const link = verifyLink(config.publicUrl, m);
      await transport.sendMail({
        from: config.from,
        to: m.email,
        subject: 'Welcome to simple bank: verify your email',
        text: `Hello ${m.fullName},\n\nThank you for registering with us. Verify your email address by opening this link within 15 minutes:\n\n${link}\n`,
        html: `<p>Hello ${escapeHtml(m.fullName)},</p><p>Thank you for registering with us. Please <a href="${escapeHtml(link)}">click here</a> within 15 minutes to verify your email address.</p>`,
      });
    },
    close: () => transport.close(),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

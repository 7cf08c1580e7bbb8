// The SMTP sender of notices: nodemailer over the `notices.smtp` settings. The user name and password
// come only from the environment variables the settings name (no auth when the user variable is unset).

import nodemailer from 'nodemailer';
import type { NoticesConfig } from './config.js';
import type { NoticeSender, OutgoingMessage } from './outbox.js';

export function smtpSender(smtp: NoticesConfig['smtp'], env: NodeJS.ProcessEnv = process.env): NoticeSender {
  const user = env[smtp.userEnv];
  const pass = env[smtp.passwordEnv];
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
  });
  return {
    name: `smtp://${smtp.host}:${smtp.port}`,
    async send(m: OutgoingMessage) {
      await transport.sendMail({
        from: smtp.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content })),
      });
    },
  };
}

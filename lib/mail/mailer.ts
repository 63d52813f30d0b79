import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/lib/env";

/** Outgoing mail through nodemailer, configured by WEFT_SMTP_URL and WEFT_MAIL_FROM (lib/env.ts). */

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Whether the operator configured SMTP; without it nothing is sent and links are only shown to copy. */
export const mailConfigured = (): boolean => Boolean(env().WEFT_SMTP_URL);

// One pooled transport per process (on globalThis: Next bundles lib modules into several chunks).
const holder = globalThis as unknown as { __weftMailer?: { url: string; transport: Transporter } };

function transport(url: string): Transporter {
  if (holder.__weftMailer?.url !== url) holder.__weftMailer = { url, transport: nodemailer.createTransport(url) };
  return holder.__weftMailer.transport;
}

/** Sends one mail; throws when SMTP is not configured or the server refuses it. */
export async function sendMail(mail: OutgoingMail): Promise<void> {
  const { WEFT_SMTP_URL: url, WEFT_MAIL_FROM: from } = env();
  if (!url || !from) throw new Error("Mail is not configured (WEFT_SMTP_URL).");
  await transport(url).sendMail({ from, ...mail });
}

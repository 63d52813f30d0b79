import type { Role } from "@/lib/auth/member";
import { logger } from "@/lib/log";
import { mailConfigured, sendMail } from "@/lib/mail/mailer";

/** Whether the invitation mail went out: not configured (copy the link), sent, or failed with why. */
export type Delivery = { status: "not_configured" } | { status: "sent" } | { status: "failed"; message: string };

export interface InvitationMail {
  to: string;
  link: string;
  role: Role;
  workspaceName: string;
  inviter: string;
  expiresAt: Date;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function invitationMail(mail: InvitationMail) {
  const subject = `${mail.inviter} invited you to ${mail.workspaceName} on Weft`;
  const lines = [
    `${mail.inviter} invited you to join the workspace "${mail.workspaceName}" on Weft as ${mail.role}.`,
    "",
    `Accept the invitation: ${mail.link}`,
    "",
    `The link works for ${mail.to} only and expires on ${mail.expiresAt.toUTCString()}.`,
  ];
  const html = `<p>${escapeHtml(lines[0]!)}</p><p><a href="${escapeHtml(mail.link)}">Accept the invitation</a></p><p>${escapeHtml(lines[4]!)}</p>`;
  return { to: mail.to, subject, text: lines.join("\n"), html };
}

/**
 * Mails the invitation when SMTP is configured. A failure does not undo the invitation: the
 * inviter still gets the link to copy, and the failure's reason to show.
 */
export async function deliverInvitation(mail: InvitationMail): Promise<Delivery> {
  if (!mailConfigured()) return { status: "not_configured" };
  try {
    await sendMail(invitationMail(mail));
    return { status: "sent" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ err: message }, "could not send an invitation mail");
    return { status: "failed", message: `The invitation mail could not be sent (${message}); copy the link instead.` };
  }
}

import { randomUUID } from "node:crypto";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as invitationsRoute from "@/app/api/invitations/route";
import { previewInvitation } from "@/lib/members/accept";
import type { IssuedInvitation } from "@/lib/members/invitations";
import { routeRequest, signUpUser } from "./helpers/session";

/**
 * Invitation mail through nodemailer to an in-process SMTP server (smtp-server), configured the way
 * an operator does: WEFT_SMTP_URL and WEFT_MAIL_FROM, set before lib/env.ts reads the environment.
 */
const port = vi.hoisted(() => {
  const value = 30_000 + Math.floor(Math.random() * 20_000);
  process.env.WEFT_SMTP_URL = `smtp://127.0.0.1:${value}`;
  process.env.WEFT_MAIL_FROM = "Weft <weft@example.test>";
  return value;
});

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const received: Received[] = [];
let server: SMTPServer;
let ownerCookie: string;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      // A recipient the server refuses, for the failure path.
      if (address.address.endsWith("@refused.test")) return callback(new Error("550 mailbox unavailable"));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  ownerCookie = (await signUpUser("Mail Owner")).cookie;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const invite = async (email: string) => {
  const response = await invitationsRoute.POST(routeRequest("POST", "/api/invitations", ownerCookie, { email, role: "developer" }));
  expect(response.status).toBe(201);
  return (await response.json()) as IssuedInvitation;
};

/** Quoted-printable soft line breaks undone, so a long link reads as one string. */
const unfold = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");

describe("invitation mail", () => {
  it("mails the invitation with its link to the invited address when SMTP is configured", async () => {
    const email = `mailed-${randomUUID().slice(0, 8)}@example.test`;
    const issued = await invite(email);
    expect(issued.delivery).toEqual({ status: "sent" });
    const mail = received.find((m) => m.to.includes(email));
    expect(mail?.from).toBe("weft@example.test");
    const body = unfold(mail!.raw);
    expect(body).toContain(issued.link);
    expect(body).toMatch(/Subject: .*invited you to/);
    // The mailed link is the real one: it opens the pending invitation.
    expect((await previewInvitation(issued.link.split("/invite/")[1]!)).status).toBe("pending");
  });

  it("a refused mail does not lose the invitation: the inviter gets the link and why the mail failed", async () => {
    const issued = await invite(`nobody-${randomUUID().slice(0, 8)}@refused.test`);
    expect(issued.delivery).toMatchObject({ status: "failed", message: expect.stringMatching(/could not be sent.*copy the link/s) });
    expect((await previewInvitation(issued.link.split("/invite/")[1]!)).status).toBe("pending");
  });
});

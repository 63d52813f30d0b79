import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getMember } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { maskEmail, previewInvitation, type InvitationPreview } from "@/lib/members/accept";
import { AcceptInvitationButton } from "./accept-button";

export const metadata: Metadata = { title: "Invitation" };

const DEAD: Record<"invalid" | "expired" | "revoked" | "accepted", { title: string; text: string }> = {
  invalid: { title: "This invitation link is not valid", text: "Check that you copied all of it, or ask the person who invited you for a new link." },
  expired: { title: "This invitation has expired", text: "Invitation links work for 7 days. Ask the person who invited you for a new link." },
  revoked: { title: "This invitation was revoked", text: "A workspace admin withdrew it. Ask them if you still need access." },
  accepted: { title: "This invitation was already used", text: "Sign in to reach the workspace it was for." },
};

/** /invite/<token>: what the link is for, and the way in (accept, sign in, or create the account). */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const preview = await previewInvitation(token);
  if (preview.status !== "pending") {
    const dead = DEAD[preview.status];
    return (
      <Card data-testid="invitation-status" data-status={preview.status}>
        <CardHeader>
          <CardTitle className="text-xl">{dead.title}</CardTitle>
          <CardDescription>{dead.text}</CardDescription>
        </CardHeader>
        <CardContent>
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Go to sign-in</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }
  return <PendingInvitation token={token} preview={preview} />;
}

async function PendingInvitation({ token, preview }: { token: string; preview: Extract<InvitationPreview, { email: string }> }) {
  const member = await getMember();
  const here = `/invite/${token}`;
  return (
    <Card data-testid="invitation-status" data-status="pending">
      <CardHeader>
        <CardTitle className="text-xl">Join {preview.workspaceName}</CardTitle>
        <CardDescription>
          {preview.inviter ?? "A workspace admin"} invited {preview.email} to join as <span className="font-medium capitalize">{preview.role}</span>. The link works until{" "}
          {preview.expiresAt.toUTCString()}.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {member === null ? (
          <>
            {env().WEFT_SIGNUP === "closed" ? null : (
              <Button asChild className="w-full">
                <Link href={`/sign-up?invitation=${encodeURIComponent(token)}`} data-testid="invitation-sign-up">
                  Create an account for {preview.email}
                </Link>
              </Button>
            )}
            <Button asChild variant="outline" className="w-full">
              <Link href={`/sign-in?next=${encodeURIComponent(here)}`} data-testid="invitation-sign-in">
                I already have an account: sign in
              </Link>
            </Button>
          </>
        ) : member.email.toLowerCase() === preview.email ? (
          <AcceptInvitationButton token={token} workspaceName={preview.workspaceName} />
        ) : (
          <>
            <p role="alert" className="text-sm" data-testid="invitation-wrong-account">
              You are signed in as {member.email}, but this invitation is for {maskEmail(preview.email)}. Sign out and sign in with that address to accept it.
            </p>
            <SignOutButton />
          </>
        )}
      </CardContent>
    </Card>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { safeNextPath } from "@/lib/auth/next-path";
import { getMember } from "@/lib/auth/session";
import { signUpPageState } from "@/lib/auth/signup-policy";
import { previewInvitation } from "@/lib/members/accept";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; invitation?: string | string[] }> }) {
  const { next: raw, invitation: token } = await searchParams;
  const next = safeNextPath(typeof raw === "string" ? raw : undefined);
  if (await getMember()) redirect(typeof token === "string" ? `/invite/${encodeURIComponent(token)}` : next);
  // Signing up through an invitation link: the account joins that workspace (and gets none of its own).
  const preview = typeof token === "string" ? await previewInvitation(token) : null;
  const invitation = preview && preview.status === "pending" && typeof token === "string" ? { token, email: preview.email } : null;
  // WEFT_SIGNUP: the server refuses anyway; the page says so before anyone types.
  const state = await signUpPageState();
  const { notice, showForm } = invitation && state.showForm ? { notice: null, showForm: true } : state;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Create your account</CardTitle>
        <CardDescription data-testid="sign-up-description">
          {invitation && preview?.status === "pending"
            ? `You join ${preview.workspaceName} as ${preview.role}.`
            : preview
              ? "This invitation link is no longer valid; ask for a new one."
              : "You get a workspace of your own to build workflows in."}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {notice ? (
          <p role="status" data-testid="sign-up-notice" className="rounded-md border bg-muted px-3 py-2 text-sm">
            {notice}
          </p>
        ) : null}
        {showForm ? (
          <SignUpForm next={next} invitation={invitation} />
        ) : (
          <p className="text-center text-sm text-muted-foreground">
            Already have an account?{" "}
            <Link href="/sign-in" className="font-medium text-foreground underline-offset-4 hover:underline">
              Sign in
            </Link>
          </p>
        )}
      </CardContent>
    </Card>
  );
}

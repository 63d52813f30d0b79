import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { safeNextPath } from "@/lib/auth/next-path";
import { getMember } from "@/lib/auth/session";
import { signUpPageState } from "@/lib/auth/signup-policy";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next: raw } = await searchParams;
  const next = safeNextPath(typeof raw === "string" ? raw : undefined);
  if (await getMember()) redirect(next);
  // WEFT_SIGNUP: the server refuses anyway; the page says so before anyone types.
  const { notice, showForm } = await signUpPageState();
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Create your account</CardTitle>
        <CardDescription>You get a workspace of your own to build workflows in.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {notice ? (
          <p role="status" data-testid="sign-up-notice" className="rounded-md border bg-muted px-3 py-2 text-sm">
            {notice}
          </p>
        ) : null}
        {showForm ? (
          <SignUpForm next={next} />
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

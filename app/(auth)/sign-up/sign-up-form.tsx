"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { authClient } from "@/lib/auth/client";
import { AuthError } from "../auth-error";

/** Sign in instead: back to the invitation page when the visitor came from one (they accept it there). */
function signInHref(next: string, invitation: { token: string } | null): string {
  const target = invitation ? `/invite/${encodeURIComponent(invitation.token)}` : next;
  return target === "/workflows" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(target)}`;
}

/** `invitation`: signing up through an invitation link; the email is the invited one and the token goes with the request. */
export function SignUpForm({ next, invitation = null }: { next: string; invitation?: { token: string; email: string } | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    if (password.length < 8) {
      setError("Use at least 8 characters for the password.");
      return;
    }
    setPending(true);
    setError(null);
    const email = String(form.get("email") ?? "").trim();
    // Sign-up answers an existing email exactly as a new one (against account enumeration), so
    // it never signs in by itself: signing in with the same password tells a new account's owner
    // apart from someone typing an email that is already taken.
    const { error: failure } = await authClient.signUp.email({
      name: String(form.get("name") ?? "").trim(),
      email,
      password,
      // Read by the sign-up policy (WEFT_SIGNUP=invite) and by the hook that joins the workspace (lib/members/new-user.ts).
      ...(invitation ? { invitationToken: invitation.token } : {}),
    });
    if (failure) {
      setPending(false);
      setError(failure.message ?? "Could not create the account.");
      return;
    }
    const { error: signInFailure } = await authClient.signIn.email({ email, password });
    if (signInFailure) {
      setPending(false);
      setError(
        signInFailure.status === 401
          ? "We could not sign you in. If you already have an account with this email, sign in with its password instead."
          : (signInFailure.message ?? "Could not sign in."),
      );
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <div className="space-y-1.5">
        <Label htmlFor="name">Name</Label>
        <Input id="name" name="name" autoComplete="name" required autoFocus />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="email">Email</Label>
        <Input id="email" name="email" type="email" autoComplete="email" required defaultValue={invitation?.email} readOnly={invitation !== null} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="password">Password</Label>
        <Input id="password" name="password" type="password" autoComplete="new-password" required minLength={8} />
        <p className="text-xs text-muted-foreground">At least 8 characters.</p>
      </div>
      <AuthError message={error} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link
          href={signInHref(next, invitation)}
          className="font-medium text-foreground underline-offset-4 hover:underline"
        >
          Sign in
        </Link>
      </p>
    </form>
  );
}

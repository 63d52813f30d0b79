"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { acceptRequest } from "@/components/members/api";
import { Button } from "@/components/ui/button";
import { AuthError } from "../../auth-error";

/** Accepts the invitation for the signed-in account, then opens the workspace it joined. */
export function AcceptInvitationButton({ token, workspaceName }: { token: string; workspaceName: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="space-y-3">
      <AuthError message={error} />
      <Button
        className="w-full"
        disabled={pending}
        data-testid="accept-invitation"
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            await acceptRequest(token);
            router.replace("/workflows");
            router.refresh();
          } catch (failure) {
            setPending(false);
            setError(failure instanceof Error ? failure.message : "Could not accept the invitation.");
          }
        }}
      >
        {pending ? "Joining…" : `Join ${workspaceName}`}
      </Button>
    </div>
  );
}

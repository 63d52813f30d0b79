"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { Issued } from "./api";

/** The invitation link, shown once (only its hash is kept), with whether the mail went out. */
export function IssuedLink({ issued }: { issued: Issued }) {
  const [copied, setCopied] = useState(false);
  const { delivery } = issued;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <Input readOnly value={issued.link} aria-label="Invitation link" data-testid="invitation-link" className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        <Button
          variant="outline"
          aria-label="Copy invitation link"
          data-testid="copy-invitation-link"
          onClick={() => void navigator.clipboard.writeText(issued.link).then(() => setCopied(true), () => undefined)}
        >
          {copied ? <Check /> : <Copy />} {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="text-xs text-muted-foreground" data-testid="invitation-delivery" data-status={delivery.status}>
        {delivery.status === "sent"
          ? `Also sent by email to ${issued.invitation.email}.`
          : delivery.status === "failed"
            ? delivery.message
            : "Email is not configured on this instance (WEFT_SMTP_URL): send the link yourself."}{" "}
        It works for {issued.invitation.email} only, until {new Date(issued.invitation.expiresAt).toLocaleString()}. This is the only time it is shown.
      </p>
    </div>
  );
}

import { createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/**
 * Invitation links carry 32 random bytes (base64url); only their SHA-256 is stored, so the link is
 * shown once (and mailed) and a database leak holds no usable link. Enough entropy for a fast hash.
 */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const generateInvitationToken = (): string => randomBytes(32).toString("base64url");

export const hashInvitationToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** Shape check before touching the database. */
export const looksLikeInvitationToken = (value: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(value);

/** The page that shows and accepts the invitation, on the instance's public URL. */
export const invitationLink = (token: string): string => new URL(`/invite/${token}`, env().BETTER_AUTH_URL).toString();

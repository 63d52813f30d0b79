import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signing scheme of webhooks in hmac mode (docs/channels.md): the sender puts the current Unix
 * time in seconds in `X-Weft-Timestamp` and `sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`
 * in `X-Weft-Signature`. The timestamp is signed too, so a captured request cannot be replayed
 * after the tolerance; within it, an Idempotency-Key makes a replay start nothing new.
 */
export const SIGNATURE_HEADER = "x-weft-signature";
export const TIMESTAMP_HEADER = "x-weft-timestamp";

export function signWebhook(secret: string, timestamp: string | number, rawBody: string | Uint8Array): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return `sha256=${mac.digest("hex")}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks both headers against the raw body; `nowSeconds` is the server's clock. */
export function verifyWebhookSignature(
  secret: string,
  headers: Headers,
  rawBody: Uint8Array,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const timestamp = headers.get(TIMESTAMP_HEADER)?.trim() ?? "";
  const signature = headers.get(SIGNATURE_HEADER)?.trim() ?? "";
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "X-Weft-Timestamp is missing or is not Unix seconds." };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: `X-Weft-Timestamp is more than ${toleranceSeconds} seconds away from the server's clock.` };
  }
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) return { ok: false, reason: "X-Weft-Signature is missing or is not sha256=<64 hex digits>." };
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody).slice(7), "hex");
  const given = Buffer.from(signature.slice(7), "hex");
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "The signature does not match." };
}

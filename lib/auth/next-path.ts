/**
 * A safe post-sign-in destination: only same-site absolute paths, never `//host` or a URL,
 * so `?next=` cannot become an open redirect.
 */
export function safeNextPath(value: string | null | undefined, fallback = "/workflows"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (value.startsWith("/sign-in") || value.startsWith("/sign-up") || value.startsWith("/api/")) return fallback;
  return value;
}

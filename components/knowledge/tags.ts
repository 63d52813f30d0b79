/** Document tags typed as `department=HR, year=2026` (the routes take them as a JSON object; filters compare values as text). */
export function parseTags(text: string): { ok: true; tags: Record<string, string> | undefined } | { ok: false; message: string } {
  const tags: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf("=");
    const key = at > 0 ? part.slice(0, at).trim() : "";
    if (!key) return { ok: false, message: `"${part}" is not key=value.` };
    tags[key] = part.slice(at + 1).trim();
  }
  if (Object.keys(tags).length > 20) return { ok: false, message: "At most 20 tags." };
  return { ok: true, tags: Object.keys(tags).length ? tags : undefined };
}

/** Tags as typed in the tag box: `department=HR, year=2026`. */
export const formatTags = (tags: Record<string, string | number | boolean>) =>
  Object.entries(tags)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(", ");

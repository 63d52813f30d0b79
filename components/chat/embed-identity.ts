/**
 * What the embedded chat (inside the widget's iframe) tells the API about itself (lib/chat/embed.ts):
 * the embedding page's origin and this browser's widget visitor id. Browser-only.
 */

import { VISITOR_ID } from "@/lib/chat/embed-contract";

const VISITOR_KEY = "weft_widget_visitor";

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The embedding page's origin: what the browser says (`location.ancestorOrigins`, Chromium and
 * WebKit), else the referrer, else the `parent` parameter widget.js adds. The server accepts only
 * the app's allowed origins, and the browser already refused to show this page inside any other
 * (frame-ancestors), so a wrong claim gains nothing. Null when the page is not in a frame.
 */
export function embeddingOrigin(): string | null {
  if (window.top === window) return null;
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return originOf(ancestors[0]);
  return originOf(document.referrer) ?? originOf(new URLSearchParams(window.location.search).get("parent"));
}

/**
 * This browser's widget visitor id: random, kept in localStorage (partitioned per embedding site
 * by browsers that partition third-party storage), else for this tab only. It is not a workspace
 * credential: it reaches this visitor's own conversations and nothing else.
 */
export function widgetVisitorId(): string {
  for (const storage of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      const store = storage();
      const known = store.getItem(VISITOR_KEY);
      if (known && VISITOR_ID.test(known)) return known;
      const fresh = crypto.randomUUID();
      store.setItem(VISITOR_KEY, fresh);
      return fresh;
    } catch {
      // Storage blocked (some browsers' third-party settings): try the next one.
    }
  }
  return crypto.randomUUID();
}

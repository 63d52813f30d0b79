import Link from "next/link";
import { Button } from "@/components/ui/button";

/**
 * Newest / older links of a keyset-paged list: "Newest" once the reader has paged back, "Older …"
 * while there is a next page. Nothing when the list fits on one page.
 */
export function CursorPager({ paged, newestHref, olderHref, olderLabel }: { paged: boolean; newestHref: string; olderHref: string | null; olderLabel: string }) {
  if (!paged && !olderHref) return null;
  return (
    <nav className="flex justify-between" aria-label="Pagination">
      {paged ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={newestHref}>Newest</Link>
        </Button>
      ) : (
        <span />
      )}
      {olderHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={olderHref}>{olderLabel}</Link>
        </Button>
      ) : null}
    </nav>
  );
}

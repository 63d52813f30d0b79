import Link from "next/link";
import { cn } from "@/lib/utils";

const TABS = [
  { id: "dashboard", label: "Dashboard", href: "/overview" },
  { id: "catalog", label: "Agent catalog", href: "/overview/catalog" },
] as const;

/** The two views of the Overview, as links (each is its own page, so each can be linked to). */
export function OverviewTabs({ current, search = "" }: { current: (typeof TABS)[number]["id"]; search?: string }) {
  return (
    <nav aria-label="Overview sections" className="inline-flex h-9 items-center rounded-lg bg-muted p-1 text-muted-foreground">
      {TABS.map((tab) => (
        <Link
          key={tab.id}
          href={tab.id === "dashboard" && search ? `${tab.href}?${search}` : tab.href}
          aria-current={tab.id === current ? "page" : undefined}
          data-testid={`overview-tab-${tab.id}`}
          className={cn(
            "inline-flex h-7 items-center rounded-md px-3 text-sm font-medium transition-colors",
            tab.id === current ? "bg-background text-foreground shadow-sm" : "hover:text-foreground",
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}

"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RANGE_PRESETS, type DateRange } from "@/lib/analytics/range";

const PRESET_LABEL: Record<(typeof RANGE_PRESETS)[number], string> = { "7d": "7 days", "30d": "30 days", "90d": "90 days" };

/** Presets as links and a custom from/to pair; the range lives in the URL so a view can be shared. */
export function RangePicker({ range }: { range: Pick<DateRange, "from" | "to" | "preset"> }) {
  const router = useRouter();
  const pathname = usePathname();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);

  function apply(event: FormEvent) {
    event.preventDefault();
    // The server validates the pair (order, length) and says what is wrong.
    router.push(`${pathname}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  }

  return (
    <div className="flex flex-wrap items-end gap-3" data-testid="range-picker">
      <nav className="flex gap-1" aria-label="Date range presets">
        {RANGE_PRESETS.map((preset) => (
          <Button key={preset} variant={range.preset === preset ? "default" : "outline"} size="sm" asChild>
            <Link href={`${pathname}?range=${preset}`} aria-current={range.preset === preset ? "true" : undefined} data-testid={`range-${preset}`}>
              {PRESET_LABEL[preset]}
            </Link>
          </Button>
        ))}
      </nav>
      <form className="flex items-end gap-2" onSubmit={apply} aria-label="Custom date range">
        <div className="flex flex-col gap-1">
          <Label htmlFor="range-from" className="text-xs text-muted-foreground">
            From (UTC)
          </Label>
          <Input id="range-from" type="date" className="h-8 w-36" value={from} max={to} onChange={(event) => setFrom(event.target.value)} required />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="range-to" className="text-xs text-muted-foreground">
            To (UTC)
          </Label>
          <Input id="range-to" type="date" className="h-8 w-36" value={to} min={from} onChange={(event) => setTo(event.target.value)} required />
        </div>
        <Button type="submit" size="sm" variant={range.preset ? "outline" : "default"} data-testid="range-apply">
          Apply
        </Button>
      </form>
    </div>
  );
}

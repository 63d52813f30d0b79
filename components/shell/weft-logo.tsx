import { cn } from "@/lib/utils";

/** The product mark: three woven threads, and the name. */
export function WeftLogo({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", className)}>
      <svg viewBox="0 0 24 24" aria-hidden className="size-[1.2em]" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round">
        <path d="M3 7c3 0 3 4 6 4s3-4 6-4 3 4 6 4" />
        <path d="M3 13c3 0 3 4 6 4s3-4 6-4 3 4 6 4" opacity="0.55" />
      </svg>
      Weft
    </span>
  );
}

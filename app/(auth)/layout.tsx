import type { ReactNode } from "react";
import { WeftLogo } from "@/components/shell/weft-logo";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 bg-muted/40 px-4 py-12">
      <WeftLogo className="text-xl" />
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}

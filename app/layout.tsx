import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Weft", template: "%s · Weft" },
  description: "Design, run and inspect agent workflows.",
  // Inline so no request for /favicon.ico ever 404s.
  icons: {
    icon: `data:image/svg+xml,${encodeURIComponent(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#171717" stroke-width="2.4" stroke-linecap="round"><path d="M3 7c3 0 3 4 6 4s3-4 6-4 3 4 6 4"/><path d="M3 13c3 0 3 4 6 4s3-4 6-4 3 4 6 4" opacity=".55"/></svg>',
    )}`,
  },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-background text-foreground antialiased">{children}</body>
    </html>
  );
}

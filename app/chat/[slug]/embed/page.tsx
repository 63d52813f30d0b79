import type { Metadata } from "next";
import { EmbedChat } from "@/components/chat/embed-chat";

export const metadata: Metadata = { title: "Chat", robots: { index: false } };

/**
 * The chat widget's page, shown in an iframe on the websites its app allows: framing is limited to
 * them by the CSP proxy.ts sets (lib/chat/embed-policy.ts), and its API calls are checked again
 * against them (lib/chat/embed.ts).
 */
export default async function ChatEmbedPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <EmbedChat slug={slug} />;
}

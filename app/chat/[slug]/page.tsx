import type { Metadata } from "next";
import { ChatPage } from "@/components/chat/chat-page";

export const metadata: Metadata = { title: "Chat", robots: { index: false } };

/** The hosted chat page of a chat app; access is decided by /api/chat/<slug> (404 for whoever may not see it). */
export default async function ChatAppPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <ChatPage slug={slug} />;
}

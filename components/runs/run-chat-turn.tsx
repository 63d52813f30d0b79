import { ThumbsDown, ThumbsUp } from "lucide-react";
import Link from "next/link";
import type { RunChatTurn } from "@/lib/chat/run-feedback";

/** On the run page of a chat turn: the question, the stored answer and the user's feedback. */
export function RunChatTurnCard({ turn }: { turn: RunChatTurn | null }) {
  if (!turn) return null;
  return (
    <section className="space-y-2 rounded-lg border p-4" data-testid="run-chat-turn">
      <h2 className="text-lg font-semibold tracking-tight">
        Chat turn{" "}
        <Link className="text-sm font-normal text-muted-foreground underline" href={`/chat/${turn.chatAppSlug}`}>
          /chat/{turn.chatAppSlug}
        </Link>
      </h2>
      <p className="text-sm text-muted-foreground">Conversation “{turn.conversationTitle}”</p>
      {turn.question ? <p className="whitespace-pre-wrap text-sm"><span className="font-medium">Asked:</span> {turn.question}</p> : null}
      <p className="whitespace-pre-wrap text-sm"><span className="font-medium">Answered ({turn.status}):</span> {turn.answer || "—"}</p>
      <div className="flex items-center gap-2 text-sm" data-testid="run-chat-feedback">
        <span className="font-medium">Feedback:</span>
        {turn.rating === 1 ? <ThumbsUp className="size-4" aria-label="Thumbs up" /> : turn.rating === -1 ? <ThumbsDown className="size-4" aria-label="Thumbs down" /> : <span className="text-muted-foreground">none</span>}
        {turn.feedbackComment ? <span>“{turn.feedbackComment}”</span> : null}
      </div>
    </section>
  );
}

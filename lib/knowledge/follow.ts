import { runEventHub, type RunEventHub } from "@/lib/runs/event-hub";
import { DOCUMENT_STAGES, type KnowledgeEvent, KnowledgeEventSchema, knowledgeChannel } from "./progress";

/** How far a document is: its stage, then (while embedding) its count of embedded chunks. */
export interface DocumentState {
  id: string;
  status: string;
  chunksDone: number;
}

const stageRank = (status: string) => Math.min(DOCUMENT_STAGES.indexOf(status as (typeof DOCUMENT_STAGES)[number]), DOCUMENT_STAGES.indexOf("indexed"));

/** An event that would move a document of the snapshot backwards (sent before the snapshot was read). */
function isBehind(event: KnowledgeEvent, known: Map<string, DocumentState>): boolean {
  if (event.type !== "document") return false;
  const doc = known.get(event.documentId);
  if (!doc) return false;
  const [was, now] = [stageRank(doc.status), stageRank(event.status)];
  return now < was || (now === was && event.chunksDone < doc.chunksDone);
}

/**
 * Follows one knowledge base's document events for a live watcher (the Knowledge page's SSE
 * route) on the process's shared subscriber (lib/runs/event-hub.ts): subscribes before the
 * snapshot is read so nothing published in between is lost, then hands on the events that
 * arrived meanwhile unless the snapshot is already past them. After a gap (the subscriber
 * reconnected) a fresh snapshot is sent. A snapshot that cannot be read (the knowledge base was
 * deleted) is `null`. Returns the unsubscribe function.
 */
export async function followKnowledgeBase<S>(
  knowledgeBaseId: string,
  watcher: {
    load: () => Promise<S | null>;
    documents: (snapshot: S) => DocumentState[];
    onSnapshot: (snapshot: S | null) => void;
    onEvent: (event: KnowledgeEvent) => void;
  },
  options: { hub?: RunEventHub } = {},
): Promise<() => Promise<void>> {
  let buffered: KnowledgeEvent[] | null = [];
  let stopped = false;

  async function snapshot(): Promise<void> {
    buffered ??= [];
    const loaded = await watcher.load().catch(() => null);
    if (stopped) return;
    watcher.onSnapshot(loaded);
    const known = new Map((loaded ? watcher.documents(loaded) : []).map((doc) => [doc.id, doc]));
    const pending = buffered;
    buffered = null;
    for (const event of pending) if (!isBehind(event, known)) watcher.onEvent(event);
  }

  const leave = await (options.hub ?? runEventHub()).subscribeChannel(knowledgeChannel(knowledgeBaseId), {
    onEvent: (raw) => {
      const parsed = KnowledgeEventSchema.safeParse(raw);
      if (!parsed.success || stopped) return;
      if (buffered) buffered.push(parsed.data);
      else watcher.onEvent(parsed.data);
    },
    onGap: () => void snapshot(),
  });
  await snapshot();
  return async () => {
    stopped = true;
    leave();
  };
}

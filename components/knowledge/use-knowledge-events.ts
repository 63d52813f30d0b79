"use client";

import { useEffect, useRef, useState } from "react";
import { type DocumentStatus, type DocumentView, getKnowledgeBaseRequest, type KnowledgeBaseView, listDocumentsRequest } from "./api";
import { documentView, knowledgeBaseView } from "./views";

/**
 * While the live stream is down (EventSource retrying), or while a document is still being indexed
 * (a progress message can be lost, or can overtake the upload's own answer), the documents are
 * re-read this often.
 */
export const FALLBACK_REREAD_MS = 15_000;

export type LiveState = "connecting" | "live" | "offline";

interface Snapshot {
  knowledgeBase: Parameters<typeof knowledgeBaseView>[0];
  documents: Parameters<typeof documentView>[0][];
}
interface ProgressEvent {
  documentId: string;
  status: DocumentStatus;
  chunksDone: number;
  chunksTotal: number;
  error: DocumentView["error"];
}

export const knowledgeEventsUrl = (id: string) => `/api/knowledge-bases/${encodeURIComponent(id)}/events`;

/**
 * The knowledge base and its documents, kept current by the server's push (GET …/events: a
 * snapshot, then `document` progress events from the worker). When the stream drops, EventSource
 * reconnects by itself and the server resends a snapshot; meanwhile, and while any document is
 * unfinished, the page re-reads slowly so it never shows a stale state for long. A document the page does not know yet (added in another tab)
 * makes it re-read the list once.
 */
export function useKnowledgeEvents(
  knowledgeBase: KnowledgeBaseView,
  documents: DocumentView[],
  setKnowledgeBase: (kb: KnowledgeBaseView) => void,
  setDocuments: (update: (list: DocumentView[]) => DocumentView[]) => void,
): LiveState {
  const knowledgeBaseId = knowledgeBase.id;
  const [state, setState] = useState<LiveState>("connecting");
  const setters = useRef({ knowledgeBase, documents, setKnowledgeBase, setDocuments });
  useEffect(() => {
    setters.current = { knowledgeBase, documents, setKnowledgeBase, setDocuments };
  });

  useEffect(() => {
    const reread = () =>
      Promise.all([listDocumentsRequest(knowledgeBaseId), getKnowledgeBaseRequest(knowledgeBaseId)])
        .then(([{ documents }, kb]) => (setters.current.setDocuments(() => documents), setters.current.setKnowledgeBase(kb)))
        .catch(() => undefined);
    const source = new EventSource(knowledgeEventsUrl(knowledgeBaseId));
    let fallback: ReturnType<typeof setInterval> | undefined;
    const stopFallback = () => (clearInterval(fallback), (fallback = undefined));
    const unfinished = setInterval(() => {
      if (!fallback && setters.current.documents.some((doc) => !isFinished(doc.status))) void reread();
    }, FALLBACK_REREAD_MS);

    source.addEventListener("snapshot", (event: MessageEvent<string>) => {
      const snapshot = JSON.parse(event.data) as Snapshot;
      stopFallback();
      setState("live");
      setters.current.setKnowledgeBase(knowledgeBaseView(snapshot.knowledgeBase));
      setters.current.setDocuments(() => snapshot.documents.map(documentView));
    });
    source.addEventListener("document", (event: MessageEvent<string>) => {
      const progress = JSON.parse(event.data) as ProgressEvent;
      const known = setters.current.documents.some((doc) => doc.id === progress.documentId);
      const { status, chunksDone, chunksTotal, error } = progress;
      setters.current.setDocuments((list) => list.map((doc) => (doc.id === progress.documentId ? { ...doc, status, chunksDone, chunksTotal, error } : doc)));
      // Added elsewhere, or the end of a document a re-index may have waited for: read what changed.
      if (!known || (isFinished(status) && setters.current.knowledgeBase.reindex !== null)) void reread();
    });
    source.addEventListener("document.deleted", (event: MessageEvent<string>) => {
      const { documentId } = JSON.parse(event.data) as { documentId: string };
      setters.current.setDocuments((list) => list.filter((doc) => doc.id !== documentId));
    });
    source.onerror = () => {
      setState("offline");
      fallback ??= setInterval(() => void reread(), FALLBACK_REREAD_MS);
    };
    return () => {
      stopFallback();
      clearInterval(unfinished);
      source.close();
    };
  }, [knowledgeBaseId]);
  return state;
}

const isFinished = (value: DocumentStatus) => value === "indexed" || value === "failed";

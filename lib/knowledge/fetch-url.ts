import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { allowPrivateNetwork } from "@/lib/env";
import { createGuardedFetch, findSsrfError } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, SsrfError, type GuardOptions } from "@/lib/net/ssrf";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { type FileStorage, StorageTooLargeError } from "@/lib/storage/types";
import { storageKeyOf } from "./documents";
import { KNOWLEDGE_LIMITS } from "./limits";
import { detectFormat, FORMAT_MIME, KnowledgeParseError } from "./parse";

/**
 * Fetches a URL document into storage, in the worker (the request that added it never waits on a
 * remote server). Through the SSRF guard with the workspace's allow-list as it is now: the URL is
 * checked up front for a clear message, and every connection — redirect hops included — again at
 * connect time. The body streams to storage under the file size limit; the type comes from the
 * response's Content-Type, else the URL's extension.
 */

export interface UrlSource {
  id: string;
  knowledgeBaseId: string;
  workspaceId: string;
  sourceUrl: string;
}

export interface FetchUrlDeps {
  db: Db;
  storage: FileStorage;
  signal?: AbortSignal;
  /** Defaults to WEFT_ALLOW_PRIVATE_NETWORK. */
  allowPrivate?: boolean;
  resolve?: GuardOptions["resolve"];
}

function blocked(error: SsrfError, afterRedirect: boolean): NodeError {
  return new NodeError("network_blocked", `${error.message}${afterRedirect ? " (after a redirect)" : ""}`, { cause: error });
}

async function download(deps: FetchUrlDeps, guard: GuardOptions, url: URL): Promise<Response> {
  try {
    await assertSafeUrl(url, guard);
  } catch (error) {
    if (error instanceof SsrfError) throw blocked(error, false);
    throw new NodeError("http_unavailable", `Could not reach ${url.host}: ${(error as Error).message}`, { cause: error });
  }
  const timeout = AbortSignal.timeout(KNOWLEDGE_LIMITS.urlFetchTimeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
  try {
    const response = await createGuardedFetch(guard)(url, { redirect: "follow", signal, headers: { accept: "text/html, text/markdown, text/plain, text/csv, application/pdf, */*;q=0.5" } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new NodeError("http_error", `${url.host} answered ${response.status} ${response.statusText}`.trim() + ".");
    }
    return response;
  } catch (error) {
    if (error instanceof NodeError || deps.signal?.aborted) throw error;
    const ssrf = findSsrfError(error);
    if (ssrf) throw blocked(ssrf, true);
    if (timeout.aborted) throw new NodeError("timeout", `${url.host} did not answer within ${KNOWLEDGE_LIMITS.urlFetchTimeoutMs / 1000} s.`, { cause: error });
    throw new NodeError("http_unavailable", `Could not reach ${url.host}.`, { cause: error });
  }
}

/** Downloads the document's URL into storage and records its key, size, hash and detected type. */
export async function fetchUrlDocument(deps: FetchUrlDeps, doc: UrlSource): Promise<{ storageKey: string; mimeType: string }> {
  const allowPrivate = deps.allowPrivate ?? allowPrivateNetwork();
  const guard: GuardOptions = { allowPrivate, allowList: allowPrivate ? [] : await getNetworkAllowList(deps.db, doc.workspaceId), resolve: deps.resolve };
  const url = new URL(doc.sourceUrl);
  const response = await download(deps, guard, url);
  // The final URL after redirects names the file better than the first one.
  const fileName = new URL(response.url || url.href).pathname.split("/").pop() ?? "";
  let format;
  try {
    format = detectFormat(fileName, response.headers.get("content-type"));
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw error;
  }
  const key = storageKeyOf(doc.knowledgeBaseId, doc.id);
  const body = response.body ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>) : Readable.from([]);
  try {
    const stored = await deps.storage.put(key, body, { maxBytes: KNOWLEDGE_LIMITS.maxFileBytes });
    const mimeType = FORMAT_MIME[format];
    const { count } = await deps.db.knowledgeDocument.updateMany({ where: { id: doc.id }, data: { storageKey: key, sizeBytes: stored.sizeBytes, contentHash: stored.sha256, mimeType } });
    if (count === 0) {
      // Deleted while it was being fetched: leave no file behind.
      await deps.storage.delete(key);
      throw new KnowledgeParseError("empty", "The document was deleted.");
    }
    return { storageKey: key, mimeType };
  } catch (error) {
    if (error instanceof StorageTooLargeError) throw new KnowledgeParseError("too_large", `The page is larger than ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB, the limit.`);
    throw error;
  }
}

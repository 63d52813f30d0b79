import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { allowPrivateNetwork, env } from "@/lib/env";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { createHttpService } from "@/lib/nodes/http/client";
import { ServiceError } from "@/lib/services/errors";

/**
 * Where an OpenAPI document comes from: text in the request (pasted, or a file uploaded as
 * multipart, see request.ts) or a URL the server fetches through the SSRF guard with the
 * workspace's allow-list, like an HTTP node would. Both are bounded by WEFT_OPENAPI_MAX_BYTES.
 */
export const openApiMaxBytes = () => env().WEFT_OPENAPI_MAX_BYTES;
const FETCH_TIMEOUT_MS = 60_000;

export async function fetchDocumentText(db: Db, workspaceId: string, url: string): Promise<string> {
  const limit = openApiMaxBytes();
  const allowPrivate = allowPrivateNetwork();
  const http = createHttpService({ allowPrivate, allowList: () => getNetworkAllowList(db, workspaceId) });
  try {
    const response = await http({
      method: "GET",
      url,
      headers: { accept: "application/json, application/yaml, text/yaml, */*;q=0.5" },
      timeoutMs: FETCH_TIMEOUT_MS,
      maxResponseBytes: limit,
      signal: new AbortController().signal,
    });
    if (response.status >= 400) throw new ServiceError("invalid_request", `The document could not be fetched: ${new URL(url).host} answered ${response.status}.`);
    return response.body;
  } catch (error) {
    if (!(error instanceof NodeError)) throw error;
    const reason = / the limit of \d+ bytes/.test(error.message) ? `it is larger than ${Math.round(limit / 1024 / 1024)} MB, the limit (WEFT_OPENAPI_MAX_BYTES)` : error.message;
    throw new ServiceError("invalid_request", `The document could not be fetched from ${url}: ${reason}`, { code: error.code });
  }
}

/** The document's text, from the request or its URL. */
export async function documentText(db: Db, workspaceId: string, source: { text?: string; url?: string }): Promise<string> {
  if (source.text !== undefined) return source.text;
  if (source.url !== undefined) return fetchDocumentText(db, workspaceId, source.url);
  throw new ServiceError("invalid_request", "Give the document as text, as an uploaded file or by URL.");
}

import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import type { z } from "zod";
import { jsonError, parseJson } from "@/lib/auth/http";
import { findJsonInputProblem } from "@/lib/http/json-input";
import { openApiMaxBytes } from "./source";

/**
 * Reads an import or preview request: JSON (`{ text | url, …options }`), or `multipart/form-data`
 * with the document as the file part `document` and the options as a JSON text part `options`.
 * A file upload streams: past WEFT_OPENAPI_MAX_BYTES the request is refused (413) without
 * reading the rest, and the browser never has to put a 13 MB file into a text box.
 */
const MAX_OPTIONS_BYTES = 1024 * 1024;

type Parsed = { text?: string; options: string | null } | Response;

function readMultipart(request: Request, maxBytes: number): Promise<Parsed> {
  const tooLarge = () => jsonError(413, "payload_too_large", `The document is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the limit (WEFT_OPENAPI_MAX_BYTES).`);
  return new Promise((resolve) => {
    let settled = false;
    const source = request.body ? Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>) : Readable.from([]);
    /** Answers once; a refusal stops reading the request instead of draining the rest of it. */
    const settle = (result: Parsed, stopReading = false) => {
      if (settled) return;
      settled = true;
      if (stopReading) source.destroy();
      resolve(result);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": request.headers.get("content-type") ?? "" }, limits: { files: 1, fileSize: maxBytes, fieldSize: MAX_OPTIONS_BYTES, fields: 4 } });
    } catch (error) {
      return settle(jsonError(400, "invalid_request", `The multipart body cannot be read: ${(error as Error).message}`, { issues: [] }), true);
    }
    const chunks: Buffer[] = [];
    let options: string | null = null;
    let sawFile = false;
    parser.on("file", (name, stream) => {
      if (name !== "document") return void stream.on("error", () => undefined).resume();
      sawFile = true;
      // A body that ends mid-file errors the file stream as well as the parser: both are handled.
      stream.on("error", (error: Error) => settle(jsonError(400, "invalid_request", `The upload is incomplete: ${error.message}`, { issues: [] }), true));
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => settle(tooLarge(), true));
    });
    parser.on("field", (name, value, info) => {
      if (name !== "options") return;
      if (info.valueTruncated) settle(jsonError(413, "payload_too_large", "The options part is larger than 1 MB."), true);
      options = value;
    });
    parser.on("error", (error: Error) => settle(jsonError(400, "invalid_request", `The multipart body cannot be read: ${error.message}`, { issues: [] }), true));
    parser.on("close", () => settle({ text: sawFile ? Buffer.concat(chunks).toString("utf8") : undefined, options }));
    source.on("error", (error) => settle(jsonError(400, "invalid_request", `The request body could not be read: ${error.message}`, { issues: [] })));
    source.pipe(parser);
  });
}

/** The options are checked like any JSON body; the document text is parsed as JSON/YAML next, so it is not walked here. */
function validate<S extends z.ZodType>(schema: S, options: object, text: string): z.infer<S> | Response {
  const unsafe = findJsonInputProblem(options);
  if (unsafe) return jsonError(400, "invalid_request", `The request is invalid: ${unsafe.message}`, { issues: [unsafe] });
  const parsed = schema.safeParse({ ...options, text });
  if (parsed.success) return parsed.data;
  return jsonError(400, "invalid_request", "The request is invalid.", {
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
  });
}

/** The request as the schema's input: `{ text?, url?, … }`, from JSON or from a multipart upload. */
export async function readOpenApiRequest<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | Response> {
  const maxBytes = openApiMaxBytes();
  if (!/^multipart\/form-data\b/i.test(request.headers.get("content-type") ?? "")) return parseJson(request, schema, maxBytes + 64 * 1024);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes + MAX_OPTIONS_BYTES) {
    return jsonError(413, "payload_too_large", `The document is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the limit (WEFT_OPENAPI_MAX_BYTES).`);
  }
  const parts = await readMultipart(request, maxBytes);
  if (parts instanceof Response) return parts;
  let options: unknown = {};
  if (parts.options !== null) {
    try {
      options = JSON.parse(parts.options);
    } catch {
      return jsonError(400, "invalid_request", "The `options` part is not valid JSON.", { issues: [{ path: "options", message: "invalid JSON" }] });
    }
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) return jsonError(400, "invalid_request", "The `options` part must be a JSON object.", { issues: [{ path: "options", message: "not an object" }] });
  if (parts.text === undefined) return jsonError(400, "invalid_request", "Attach the document as the file part `document`.", { issues: [{ path: "document", message: "missing" }] });
  return validate(schema, options, parts.text);
}

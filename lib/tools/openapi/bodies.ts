import { isObject, type Json, type LocalRefs } from "./refs";

/**
 * Request bodies in the encoding an operation declares. The import picks one media type per
 * operation and shapes the `body` input for it (binary content and files as text or base64); the
 * call encodes the input that way: JSON, URL-encoded form, multipart form, plain text, XML or raw
 * bytes.
 */
export type BodyEncoding = "json" | "form" | "multipart" | "text" | "xml" | "binary";

export function encodingOf(contentType: string | null): BodyEncoding {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json") || type.endsWith("/json")) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  if (type.startsWith("multipart/")) return "multipart";
  if (type.endsWith("/xml") || type.endsWith("+xml")) return "xml";
  if (type.startsWith("text/")) return "text";
  return "binary";
}

const PREFERENCE: BodyEncoding[] = ["json", "form", "multipart", "text", "xml", "binary"];

/** The media type of a requestBody's `content` that Weft sends: JSON first, then forms, text, XML, bytes. */
export function pickBodyMedia(refs: LocalRefs, content: unknown): { type: string; schema: unknown } | null {
  if (!isObject(content)) return null;
  const types = Object.keys(content).filter((type) => type !== "*/*" || Object.keys(content).length === 1);
  const ranked = [...types].sort((a, b) => PREFERENCE.indexOf(encodingOf(a)) - PREFERENCE.indexOf(encodingOf(b)));
  const type = ranked.find((t) => t === "application/json") ?? ranked[0];
  if (!type) return null;
  const media = refs.follow(content[type]);
  return { type: type === "*/*" ? "application/octet-stream" : type, schema: media?.schema };
}

const BASE64_CONTENT = { type: "object", properties: { base64: { type: "string", description: "The content, base64-encoded" } }, required: ["base64"] };
const FILE_INPUT: Json = {
  anyOf: [
    { type: "string", description: "The file's content as text" },
    {
      ...BASE64_CONTENT,
      properties: { ...BASE64_CONTENT.properties, filename: { type: "string" }, contentType: { type: "string" } },
    },
  ],
};

const isBinaryString = (schema: unknown) => isObject(schema) && schema.type === "string" && (schema.format === "binary" || schema.format === "byte");

/** The `body` input for a media type: bytes and files may be given as text or as `{ base64 }`. */
export function bodyInputSchema(contentType: string, schema: Json): Json {
  switch (encodingOf(contentType)) {
    case "binary":
      return { anyOf: [{ type: "string", description: "The content as text" }, BASE64_CONTENT], description: schema.description ?? `The request body (${contentType})` };
    case "multipart": {
      if (!isObject(schema.properties)) return schema;
      const properties = Object.fromEntries(Object.entries(schema.properties).map(([name, sub]) => [name, isBinaryString(sub) ? FILE_INPUT : sub]));
      return { ...schema, properties };
    }
    case "text":
      return schema.type === undefined ? { ...schema, type: "string" } : schema;
    case "xml":
      // An XML body may be written as a string or given as an object (serialised, see toXml).
      return schema.type === "string" ? schema : { anyOf: [schema, { type: "string", description: "The XML document as text" }] };
    default:
      return schema;
  }
}

/** Scalars as the wire wants them; objects and arrays of objects as JSON. */
export function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

const isBase64Content = (value: unknown): value is { base64: string; filename?: unknown; contentType?: unknown } => isObject(value) && typeof value.base64 === "string";

function bytesOf(value: unknown): Uint8Array<ArrayBuffer> {
  return new Uint8Array(isBase64Content(value) ? Buffer.from(value.base64, "base64") : Buffer.from(text(value), "utf8"));
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);

/**
 * An object as XML: keys become elements, arrays repeat their element, scalars are escaped text.
 * A one-key object names the root element itself (`{ pet: { name } }` → `<pet><name>…</name></pet>`);
 * otherwise the root is `<root>`.
 */
export function toXml(value: unknown): string {
  const element = (name: string, content: unknown): string => {
    const tag = /^[A-Za-z_][\w.-]*$/.test(name) ? name : "item";
    if (Array.isArray(content)) return content.map((item) => element(tag, item)).join("");
    if (isObject(content)) return `<${tag}>${Object.entries(content).map(([k, v]) => element(k, v)).join("")}</${tag}>`;
    return content === null || content === undefined ? `<${tag}/>` : `<${tag}>${escapeXml(text(content))}</${tag}>`;
  };
  const entries = isObject(value) ? Object.entries(value) : [];
  const body = entries.length === 1 && isObject(entries[0]![1]) ? element(entries[0]![0], entries[0]![1]) : element("root", value);
  return `<?xml version="1.0" encoding="UTF-8"?>${body}`;
}

function multipartForm(payload: unknown): FormData {
  const form = new FormData();
  if (!isObject(payload)) throw new TypeError("A multipart body must be an object of fields.");
  for (const [name, value] of Object.entries(payload)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      if (isBase64Content(item)) {
        const type = typeof item.contentType === "string" ? item.contentType : "application/octet-stream";
        form.append(name, new Blob([bytesOf(item)], { type }), typeof item.filename === "string" ? item.filename : name);
      } else {
        form.append(name, text(item));
      }
    }
  }
  return form;
}

/** The body bytes (or text) and the Content-Type header for an operation's declared media type. */
export async function encodeBody(contentType: string | null, payload: unknown): Promise<{ body: string | Uint8Array<ArrayBuffer>; contentType: string }> {
  const declared = contentType ?? "application/json";
  switch (encodingOf(declared)) {
    case "json":
      return { body: JSON.stringify(payload), contentType: declared };
    case "form": {
      const fields = isObject(payload) ? Object.entries(payload).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map((x) => [k, text(x)])) : [];
      return { body: typeof payload === "string" ? payload : new URLSearchParams(fields).toString(), contentType: declared };
    }
    case "multipart": {
      // The platform writes the parts and picks the boundary; the header carries it.
      const encoded = new Response(multipartForm(payload));
      return { body: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get("content-type")! };
    }
    case "text":
      return { body: text(payload), contentType: /charset=/i.test(declared) ? declared : `${declared}; charset=utf-8` };
    case "xml":
      return { body: typeof payload === "string" ? payload : toXml(payload), contentType: declared };
    case "binary":
      return { body: bytesOf(payload), contentType: declared };
  }
}

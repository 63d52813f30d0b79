import type { DeclaredInput } from "@/lib/engine/inputs";
import { findJsonInputProblem } from "@/lib/http/json-input";
import { readBodyBytes } from "@/lib/http/read-limited";

/**
 * Reading a webhook's request: the body within a byte limit (413 before it is read in full), its
 * content type (JSON or a form; 415 otherwise), and the values it maps to the Start inputs.
 */

export class BodyProblem {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    readonly message: string,
  ) {}
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
const FORM_TYPE = "application/x-www-form-urlencoded";

export type BodyKind = "json" | "form" | "none";

/** Which parser the Content-Type asks for; a problem (415) for any other type of a non-empty body. */
export function bodyKindOf(request: Request): BodyKind | BodyProblem {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (JSON_TYPE.test(type)) return "json";
  if (type === FORM_TYPE) return "form";
  const length = request.headers.get("content-length");
  if (type === "" && (length === null || length === "0")) return "none";
  return new BodyProblem(415, "unsupported_media_type", "Send the inputs as application/json or application/x-www-form-urlencoded.");
}

/** The raw body, or a 413 once it passes `maxBytes` (a lying Content-Length is caught while reading). */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<Uint8Array | BodyProblem> {
  const tooLarge = new BodyProblem(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  return (await readBodyBytes(request, maxBytes)) ?? tooLarge;
}

const invalid = (message: string) => new BodyProblem(400, "invalid_request", message);

/** The JSON body as the inputs object (it must be one), checked for text PostgreSQL cannot store. */
export function jsonInputs(raw: Uint8Array): Record<string, unknown> | BodyProblem {
  const text = new TextDecoder().decode(raw);
  if (text.trim() === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return invalid("The request body is not valid JSON.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return invalid("The JSON body must be an object whose fields are the workflow's Start inputs.");
  const unsafe = findJsonInputProblem(json);
  if (unsafe) return invalid(`The request body is invalid: ${unsafe.message}`);
  return json as Record<string, unknown>;
}

/**
 * Form fields and query parameters are text: each is converted to its Start input's declared type
 * (number, boolean, object/array as JSON) so the usual input validation can check it. Values that
 * do not convert stay text and are then refused with the field's name. Unknown names pass through
 * (and are refused by the validation, naming them).
 */
export function textInputs(params: URLSearchParams, declared: readonly DeclaredInput[]): Record<string, unknown> | BodyProblem {
  const types = new Map(declared.map((d) => [d.name, d.type]));
  const out: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if (value.includes("\u0000") || name.includes("\u0000")) return invalid(`The field ${JSON.stringify(name.replace(/\0/g, ""))} contains a NUL character.`);
    out[name] = convert(value, types.get(name));
  }
  return out;
}

function convert(value: string, type: string | undefined): unknown {
  switch (type) {
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "object":
    case "array":
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    default:
      return value;
  }
}

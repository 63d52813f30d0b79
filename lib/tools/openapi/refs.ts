/**
 * Local `$ref` resolution on demand. Dereferencing a whole document up front (what swagger-parser
 * does) costs seconds on GitHub-sized descriptions and inlines thousands of schemas nobody imports;
 * here a reference is followed only when an operation being prepared reaches it, and a pointer's
 * target is looked up once. External references are never fetched: an import must not make the
 * server reach out.
 */
export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON Pointer segment decoding (RFC 6901) after URI-fragment decoding. */
function segments(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
}

export class LocalRefs {
  private readonly cache = new Map<string, unknown>();
  constructor(private readonly doc: Json) {}

  /** The target of `#/…`, or undefined for an external or dangling reference. */
  target(ref: string): unknown {
    if (!ref.startsWith("#/")) return undefined;
    if (this.cache.has(ref)) return this.cache.get(ref);
    let node: unknown = this.doc;
    for (const part of segments(ref.slice(1))) {
      if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
      else if (isObject(node) && Object.hasOwn(node, part)) node = node[part];
      else {
        node = undefined;
        break;
      }
    }
    this.cache.set(ref, node);
    return node;
  }

  /**
   * Follows a chain of references (`parameters`, `requestBody`, `responses`, path items: objects
   * that may be `{ $ref }` themselves) to the object they name; null when it cannot be reached.
   */
  follow(value: unknown): Json | null {
    const seen = new Set<string>();
    let node = value;
    while (isObject(node) && typeof node.$ref === "string") {
      if (seen.has(node.$ref)) return null;
      seen.add(node.$ref);
      node = this.target(node.$ref);
    }
    return isObject(node) ? node : null;
  }
}

/** The last segment of a reference: `#/components/schemas/Pet` → `Pet`. */
export const refName = (ref: string) => ref.split("/").pop() ?? ref;

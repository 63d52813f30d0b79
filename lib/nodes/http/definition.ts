import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { stripSecretRefs } from "@/lib/secrets/refs";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const BODY_TYPES = ["none", "json", "form", "text"] as const;
export type BodyType = (typeof BODY_TYPES)[number];

/** Limits of the HTTP node, as data (the panel shows the same numbers). */
export const HTTP_LIMITS = {
  defaultTimeoutMs: 30_000,
  maxTimeoutMs: 5 * 60_000,
  defaultResponseBytes: 512 * 1024,
  /** A step's whole output is capped at 1 MiB by the engine; the body must fit in it. */
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 5,
} as const;

/** A header, query parameter or form field: both sides are templates. */
export const KeyValueSchema = z.object({
  key: z.string().max(1_000),
  value: z.string().max(10_000),
});
export type KeyValue = z.infer<typeof KeyValueSchema>;

export const HttpConfigSchema = z.object({
  method: z.enum(HTTP_METHODS).default("GET"),
  /** A template: `https://api.example.com/users/{{ start.id }}`. */
  url: z.string().max(10_000),
  headers: z.array(KeyValueSchema).max(50).default([]),
  query: z.array(KeyValueSchema).max(50).default([]),
  bodyType: z.enum(BODY_TYPES).default("none"),
  /** The JSON (a template that must render to valid JSON) or raw text body. */
  body: z.string().max(100_000).default(""),
  /** Form fields (application/x-www-form-urlencoded). */
  form: z.array(KeyValueSchema).max(100).default([]),
  timeoutMs: z.number().int().min(100).max(HTTP_LIMITS.maxTimeoutMs).default(HTTP_LIMITS.defaultTimeoutMs),
  maxResponseBytes: z.number().int().min(1).max(HTTP_LIMITS.maxResponseBytes).default(HTTP_LIMITS.defaultResponseBytes),
});
export type HttpConfig = z.infer<typeof HttpConfigSchema>;

/** RFC 9110 token: what a header name may contain. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const pairTemplates = (pairs: readonly KeyValue[]) => pairs.flatMap((p) => [p.key, p.value]);

export const httpNode = defineNode({
  type: "http",
  label: "HTTP request",
  description: "Calls an HTTP API and publishes the status, headers and parsed body.",
  category: "basic",
  color: "#0369a1",
  configSchema: HttpConfigSchema,
  defaultConfig: () => ({
    method: "GET" as const,
    url: "",
    headers: [],
    query: [],
    bodyType: "none" as const,
    body: "",
    form: [],
    timeoutMs: HTTP_LIMITS.defaultTimeoutMs,
    maxResponseBytes: HTTP_LIMITS.defaultResponseBytes,
  }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "status", type: "number" as const, description: "HTTP status code" },
    { name: "headers", type: "object" as const, description: "Response headers (lower-case names)" },
    { name: "body", type: "any" as const, description: "JSON responses as an object, others as text" },
  ],
  templates: (config) => [
    config.url,
    // `{{ secrets.NAME }}` in header values is resolved by the worker, not from node outputs.
    ...config.headers.flatMap((h) => [h.key, stripSecretRefs(h.value)]),
    ...pairTemplates(config.query),
    ...(config.bodyType === "json" || config.bodyType === "text" ? [config.body] : []),
    ...(config.bodyType === "form" ? pairTemplates(config.form) : []),
  ],
  check: (config) => {
    const problems: string[] = [];
    const url = config.url.trim();
    if (!url) problems.push("Enter the URL to call.");
    else if (!url.startsWith("{{") && !/^https?:\/\//i.test(url)) problems.push("The URL must start with http:// or https://.");
    config.headers.forEach((h, i) => {
      // A header name with a template is checked when it is rendered.
      if (h.key && !h.key.includes("{{") && !HEADER_NAME.test(h.key)) problems.push(`Header ${i + 1}: "${h.key}" is not a valid header name.`);
      if (!h.key && h.value) problems.push(`Header ${i + 1} has a value but no name.`);
    });
    if ((config.method === "GET" || config.method === "HEAD") && config.bodyType !== "none") {
      problems.push(`A ${config.method} request cannot have a body; choose another method or no body.`);
    }
    return problems;
  },
});

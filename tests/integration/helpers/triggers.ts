import type { Member } from "@/lib/auth/member";
import type { Graph } from "@/lib/engine/graph";
import * as hookRoute from "@/app/api/hooks/[id]/route";
import { signWebhook } from "@/lib/triggers/webhook-signature";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";

/** Start (name: string, n: number, tags: array optional) → Template → End { text, n }: model-free, quick. */
export const greetGraph: Graph = {
  version: 1,
  nodes: [
    {
      id: "start",
      type: "start",
      position: { x: 0, y: 0 },
      data: {
        inputs: [
          { name: "name", label: "", type: "string", required: true, description: "" },
          { name: "n", label: "", type: "number", required: true, description: "" },
          { name: "tags", label: "", type: "array", required: false, description: "" },
        ],
      },
    },
    { id: "greet", type: "template", position: { x: 200, y: 0 }, data: { template: "hello {{ start.name }} #{{ start.n }}", format: "text" } },
    { id: "end", type: "end", position: { x: 400, y: 0 }, data: { outputs: [{ name: "text", value: "{{ greet.text }}" }, { name: "n", value: "{{ start.n }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "greet" },
    { id: "e2", source: "greet", target: "end" },
  ],
} as Graph;

/** A workflow created and published through the real services. */
export async function publishedWorkflow(member: Member, graph: Graph = greetGraph, name = "Greeter"): Promise<string> {
  const { id } = await createWorkflow(member, { name, graph });
  await publishWorkflow(member, id);
  return id;
}

/** Calls the real route handler of /api/hooks/{id} as Next would. */
export function callHook(path: string, init: RequestInit & { query?: string } = {}): Promise<Response> {
  const id = path.split("/").pop()!;
  const request = new Request(`http://weft.test${path}${init.query ?? ""}`, { method: init.method ?? "POST", ...init });
  const handler = request.method === "GET" ? hookRoute.GET : hookRoute.POST;
  return handler(request, { params: Promise.resolve({ id }) });
}

/** A JSON body signed the documented way (X-Weft-Timestamp, X-Weft-Signature). */
export function signedInit(secret: string, body: unknown, options: { timestamp?: number; headers?: Record<string, string> } = {}): RequestInit {
  const raw = JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    method: "POST",
    body: raw,
    headers: { "content-type": "application/json", "x-weft-timestamp": String(timestamp), "x-weft-signature": signWebhook(secret, timestamp, raw), ...options.headers },
  };
}

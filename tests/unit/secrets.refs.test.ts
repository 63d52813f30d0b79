import { describe, expect, it } from "vitest";
import { graphSecretRefs, secretNamesIn } from "@/lib/secrets/refs";

describe("secret references in stored configuration", () => {
  it("finds template references in any string and { secret } objects at any depth, once each", () => {
    const toolConfig = {
      url: "https://api.example.com/{{ input.id }}",
      headers: [
        { key: "X-Org", value: "{{ secrets.ORG_ID }}" },
        { key: "X-Both", value: "{{secrets.ORG_ID}}-{{- secrets.SIGNING_KEY -}}" },
      ],
      auth: { type: "basic", username: "svc", secret: "PASSWORD" },
    };
    expect(secretNamesIn(toolConfig).sort()).toEqual(["ORG_ID", "PASSWORD", "SIGNING_KEY"]);
    // MCP sources: env values by reference and header templates.
    expect(secretNamesIn({ server: { env: { TOKEN: { secret: "MCP_TOKEN" } }, headers: { Authorization: "Bearer {{ secrets.MCP_HEADER }}" } } }).sort()).toEqual([
      "MCP_HEADER",
      "MCP_TOKEN",
    ]);
    // "Not chosen yet" (an empty secret) and look-alikes are not references.
    expect(secretNamesIn({ auth: { type: "bearer", secret: "" }, text: "{{ secret.X }} {{ node.secrets }}" })).toEqual([]);
  });

  it("names the nodes of a graph that use secrets", () => {
    const graph = {
      nodes: [
        { id: "start", type: "start", data: { inputs: [] } },
        { id: "call", type: "http", data: { headers: [{ key: "Authorization", value: "Bearer {{ secrets.API_TOKEN }}" }] } },
        { id: "note", type: "note", data: { text: "uses {{ secrets.DOCS_ONLY }}" } },
      ],
    };
    expect(graphSecretRefs(graph)).toEqual([
      { nodeId: "call", nodeType: "http", names: ["API_TOKEN"] },
      { nodeId: "note", nodeType: "note", names: ["DOCS_ONLY"] },
    ]);
  });
});

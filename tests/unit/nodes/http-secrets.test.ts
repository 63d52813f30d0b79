import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { HttpRequest, HttpResponse, SecretPort } from "@/lib/engine/ports";
import { HttpConfigSchema, httpNode } from "@/lib/nodes/http/definition";
import { executeHttp } from "@/lib/nodes/http/execute";
import { redactSecrets } from "@/lib/secrets/crypto";
import { nodeContext } from "./context";

/** `{{ secrets.NAME }}` in HTTP node headers: resolved through the secret port, redacted from what the step records. */
const VALUE = "sk-unit-secret-5566";

function secretPort(values: Record<string, string>): SecretPort & { asked: string[] } {
  const asked: string[] = [];
  const handed: string[] = [];
  return {
    asked,
    async resolve(name) {
      asked.push(name);
      const value = values[name];
      if (value === undefined) throw new NodeError("secret_not_found", `There is no secret named ${name} in this workspace (Settings → Secrets).`);
      handed.push(value);
      return value;
    },
    redact: (value) => redactSecrets(value, handed),
    // Host restrictions are exercised in tests/unit/secrets.egress.test.ts and the integration tests.
    checkEgress: () => undefined,
  };
}

const config = (raw: Record<string, unknown>) => HttpConfigSchema.parse(raw);

describe("HTTP node with secret references", () => {
  it("keeps secret references out of the validator's templates", () => {
    const c = config({ url: "https://x.test", headers: [{ key: "Authorization", value: "Bearer {{ secrets.API_TOKEN }} {{ start.id }}" }] });
    expect(httpNode.templates(c)).toEqual(["https://x.test", "Authorization", "Bearer  {{ start.id }}"]);
  });

  it("sends the value and records [redacted] in input, output and detail even when the server echoes it", async () => {
    const requests: HttpRequest[] = [];
    const http = async (request: HttpRequest): Promise<HttpResponse> => {
      requests.push(request);
      return { status: 200, headers: { "content-type": "application/json", "x-echo": request.headers["X-Key"]! }, body: JSON.stringify({ got: request.headers["X-Key"] }), url: request.url };
    };
    const secrets = secretPort({ API_TOKEN: VALUE });
    const result = await executeHttp(
      nodeContext(config({ url: "https://x.test/a", headers: [{ key: "X-Key", value: "k={{ secrets.API_TOKEN }}/{{ start.id }}" }] }), { start: { id: 7 } }, { http, secrets }),
    );
    expect(requests[0]!.headers["X-Key"]).toBe(`k=${VALUE}/7`);
    expect(secrets.asked).toEqual(["API_TOKEN"]);
    expect(result.output).toMatchObject({ body: { got: "k=[redacted]/7" }, headers: { "x-echo": "k=[redacted]/7" } });
    expect(JSON.stringify(result)).not.toContain(VALUE);
  });

  it("fails with secret_not_found for an unknown secret, and redacts values from error messages", async () => {
    const http = async (request: HttpRequest): Promise<HttpResponse> => ({ status: 400, headers: {}, body: `bad token ${request.headers.Authorization}`, url: request.url });
    await expect(
      executeHttp(nodeContext(config({ url: "https://x.test", headers: [{ key: "A", value: "{{ secrets.MISSING }}" }] }), {}, { http, secrets: secretPort({}) })),
    ).rejects.toMatchObject({ code: "secret_not_found" });
    const error = await executeHttp(
      nodeContext(config({ url: "https://x.test", headers: [{ key: "Authorization", value: "Bearer {{ secrets.API_TOKEN }}" }] }), {}, { http, secrets: secretPort({ API_TOKEN: VALUE }) }),
    ).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "http_error" });
    expect((error as NodeError).message).toBe("The server answered 400: bad token Bearer [redacted]");
  });
});

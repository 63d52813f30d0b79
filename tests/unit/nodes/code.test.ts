import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest, CodeResponse } from "@/lib/engine/ports";
import { CodeConfigSchema, codeNode } from "@/lib/nodes/code/definition";
import { executeCode } from "@/lib/nodes/code/execute";
import { nodeContext } from "./context";

function fakeSandbox(answer: (request: CodeRequest) => Record<string, unknown> | Error) {
  const requests: CodeRequest[] = [];
  const runCode = async (request: CodeRequest): Promise<CodeResponse> => {
    requests.push(request);
    const result = answer(request);
    if (result instanceof Error) throw result;
    return { result, logs: ["hello"], durationMs: 3 };
  };
  return { runCode, requests };
}

const config = (raw: Record<string, unknown>) => CodeConfigSchema.parse({ code: "return {}", ...raw });

describe("code definition", () => {
  it("publishes the declared outputs and checks names", () => {
    const c = config({ outputs: [{ name: "total", type: "number" }, { name: "items" }] });
    expect(codeNode.outputFields(c)).toEqual([
      { name: "total", type: "number" },
      { name: "items", type: "any" },
    ]);
    expect(CodeConfigSchema.safeParse({ code: "x", outputs: [{ name: "bad name" }] }).success).toBe(false);
    expect(CodeConfigSchema.safeParse({ code: "x", timeoutMs: 60_000 }).success).toBe(false);
    expect(codeNode.check!(config({ code: " ", outputs: [] }))).toEqual(["The code is empty.", "Declare at least one output (a key of the object the code returns)."]);
    expect(codeNode.check!(config({ inputs: [{ name: "a", value: "" }, { name: "a", value: "" }], outputs: [{ name: "r" }] }))).toEqual(['Input "a" is declared twice.']);
    expect(codeNode.templates(config({ inputs: [{ name: "a", value: "{{ start.x }}" }] }))).toEqual(["{{ start.x }}"]);
  });
});

describe("code executor (fake sandbox)", () => {
  const scope = { start: { n: 4, text: "hi" }, llm: { json: { items: [1, 2] } } };

  it("resolves inputs keeping the types of bare references and passes the limits", async () => {
    const { runCode, requests } = fakeSandbox((r) => ({ total: (r.inputs.items as number[]).length + (r.inputs.n as number), label: r.inputs.label }));
    const result = await executeCode(
      nodeContext(
        config({
          inputs: [
            { name: "n", value: "{{ start.n }}" },
            { name: "items", value: "{{ llm.json.items }}" },
            { name: "label", value: "say {{ start.text }}" },
          ],
          outputs: [{ name: "total", type: "number" }, { name: "label", type: "string" }],
          timeoutMs: 500,
          memoryMb: 32,
        }),
        scope,
        { runCode },
      ),
    );
    expect(requests[0]).toMatchObject({ inputs: { n: 4, items: [1, 2], label: "say hi" }, timeoutMs: 500, memoryMb: 32, code: "return {}" });
    expect(result.output).toEqual({ total: 6, label: "say hi" });
    expect(result.detail).toEqual({ logs: ["hello"], durationMs: 3 });
  });

  it("fails with code_error when a declared output is missing or has another type", async () => {
    const { runCode } = fakeSandbox(() => ({ total: "six" }));
    await expect(
      executeCode(nodeContext(config({ outputs: [{ name: "total", type: "number" }, { name: "extra" }] }), scope, { runCode })),
    ).rejects.toMatchObject({
      code: "code_error",
      message: 'The returned object does not match the declared outputs: "total" is a string, not a number; it has no "extra" (it returned: total).',
    });
  });

  it("passes sandbox errors through with the inputs attached", async () => {
    const { runCode } = fakeSandbox(() => new NodeError("code_limit", "The code ran longer than its time limit of 1000 ms."));
    const error = await executeCode(nodeContext(config({ inputs: [{ name: "n", value: "{{ start.n }}" }], outputs: [{ name: "x" }] }), scope, { runCode })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "code_limit", retryable: false, trace: { input: { n: 4 } } });
  });

  it("fails with internal when no sandbox is installed", async () => {
    await expect(executeCode(nodeContext(config({ outputs: [{ name: "x" }] }), scope))).rejects.toMatchObject({ code: "internal" });
  });
});

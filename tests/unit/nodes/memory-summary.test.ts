import { describe, expect, it } from "vitest";
import type { NodeResult } from "@/lib/engine/node-kit";
import type { MemoryPort, MemorySummary } from "@/lib/engine/ports";
import { AgentConfigSchema } from "@/lib/nodes/agent/definition";
import { executeAgent } from "@/lib/nodes/agent/execute";
import { SUMMARY_HEADING, SUMMARY_SYSTEM_PROMPT, memoryContext } from "@/lib/nodes/memory-summary";
import { scriptedChat } from "./ai-fakes";
import { nodeContext } from "./context";

/** The summary rules on a scripted chat port and an in-memory cache (the real model path is tested in tests/integration/chat.test.ts). */

const history = [
  { id: "m1", role: "user", content: "I am Ada." },
  { id: "m2", role: "assistant", content: "Hi Ada." },
  { id: "m3", role: "user", content: "I like tea." },
  { id: "m4", role: "assistant", content: "Noted." },
];
const memory = { mode: "turns" as const, turns: 1, tokens: 2_000, overflow: "summarise" as const };
const config = { providerId: "prov_1", model: "test-model", memory };

function cache(initial?: MemorySummary) {
  let stored = initial ?? null;
  const saves: { nodeId: string; messageIds: string[]; summary: MemorySummary }[] = [];
  const port: MemoryPort = {
    load: async () => stored,
    save: async (key, summary) => {
      saves.push({ ...key, summary });
      stored = summary;
    },
  };
  return { port, saves };
}

function context(inputs: Record<string, unknown>, replies: string[], port?: MemoryPort) {
  const { chat, requests } = scriptedChat(...replies.map((text) => ({ text })));
  return { ctx: { ...nodeContext(config, {}, { chat, ...(port ? { memory: port } : {}) }), inputs }, requests };
}

describe("summarised memory", () => {
  it("summarises what fell out once and caches it by the last summarised message", async () => {
    const { port, saves } = cache();
    const { ctx, requests } = context({ history }, ["Ada introduced herself."], port);
    const result = await memoryContext(ctx);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.messages).toEqual([
      { role: "system", content: SUMMARY_SYSTEM_PROMPT },
      { role: "user", content: "Messages:\nUser: I am Ada.\n\nAssistant: Hi Ada." },
    ]);
    expect(requests[0]!.idempotencyKey).toBe("run_1:node_1:0:memory-summary");
    expect(result.history.map((m) => m.content)).toEqual(["I like tea.", "Noted."]);
    expect(result.system("Be brief.")).toBe(`Be brief.\n\n${SUMMARY_HEADING}\nAda introduced herself.`);
    expect(result.system("")).toBe(`${SUMMARY_HEADING}\nAda introduced herself.`);
    expect(saves).toEqual([{ nodeId: "node_1", messageIds: ["m1", "m2"], summary: { through: "m2", summary: "Ada introduced herself." } }]);
    expect(result.trace).toMatchObject({ cached: false, through: "m2", summarisedMessages: 2, usage: { totalTokens: 15 } });
  });

  it("reuses a summary that covers everything that fell out, and extends one that covers less", async () => {
    const same = context({ history }, [], cache({ through: "m2", summary: "Ada." }).port);
    expect((await memoryContext(same.ctx)).trace).toMatchObject({ summary: "Ada.", cached: true });
    expect(same.requests).toHaveLength(0);

    const longer = [...history, { id: "m5", role: "user", content: "Green?" }, { id: "m6", role: "assistant", content: "Yes." }];
    const { port, saves } = cache({ through: "m2", summary: "Ada." });
    const extended = context({ history: longer }, ["Ada likes tea."], port);
    await memoryContext(extended.ctx);
    expect(extended.requests[0]!.messages[1]).toEqual({ role: "user", content: "Summary so far:\nAda.\n\nMessages since:\nUser: I like tea.\n\nAssistant: Noted." });
    expect(saves[0]!.summary).toEqual({ through: "m4", summary: "Ada likes tea." });
  });

  it("summarises without caching a history that carries no message ids, and does nothing when nothing fell out or turns are dropped", async () => {
    const { port, saves } = cache({ through: "m2", summary: "stale" });
    const bare = context({ history: history.map(({ role, content }) => ({ role, content })) }, ["Fresh."], port);
    expect((await memoryContext(bare.ctx)).trace).toMatchObject({ summary: "Fresh.", cached: false });
    expect(saves).toHaveLength(0);

    const short = context({ history: history.slice(2) }, []);
    expect((await memoryContext(short.ctx)).trace).toBeNull();
    const dropped = { ...context({ history }, []).ctx, config: { ...config, memory: { ...memory, overflow: "drop" as const } } };
    expect((await memoryContext(dropped)).trace).toBeNull();
  });

  it("gives the Agent the summary in its system message and counts the summary call in the step's usage", async () => {
    const agentConfig = AgentConfigSchema.parse({ providerId: "prov_1", model: "test-model", systemPrompt: "You help.", userPrompt: "Which tea?", memory });
    const { chat, requests } = scriptedChat({ text: "Ada likes tea." }, { text: "Green tea." });
    const ctx = { ...nodeContext(agentConfig, {}, { chat }), inputs: { history } };
    const result = (await executeAgent(ctx)) as NodeResult;
    expect(requests[1]!.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", `You help.\n\n${SUMMARY_HEADING}\nAda likes tea.`],
      ["user", "I like tea."],
      ["assistant", "Noted."],
      ["user", "Which tea?"],
    ]);
    expect(result.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
    expect((result.detail as { memory?: unknown }).memory).toMatchObject({ summary: "Ada likes tea.", cached: false });
  });
});

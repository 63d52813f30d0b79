import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { startOpenAiServer, type OpenAiServer } from "../../fixtures/openai-server";
import { createTestMember } from "./members";
import { createTestProvider } from "./providers";
import { startWorkerProcess, type WorkerProcess } from "./worker-process";

export interface ChatStack {
  openai: OpenAiServer;
  owner: Member;
  providerId: string;
}

/**
 * What a chat test file needs, set up by hooks it registers: the OpenAI-wire test server (reset
 * before each test), a workspace owner with a provider on it, and a real worker process. The
 * fields are filled in by beforeAll: read them inside tests.
 */
export function chatStack(): ChatStack {
  const stack = {} as ChatStack & { worker?: WorkerProcess };
  beforeAll(async () => {
    stack.openai = await startOpenAiServer();
    stack.owner = await createTestMember("owner");
    stack.providerId = (await createTestProvider(stack.owner.workspaceId, stack.openai.url)).id;
    stack.worker = await startWorkerProcess();
  });
  afterAll(async () => {
    await stack.worker?.stop();
    await stack.openai?.close();
    await db().$disconnect();
  });
  beforeEach(() => stack.openai.reset());
  return stack;
}

/**
 * The demo model the quick start runs next to Weft, so the example LLM workflow works before any
 * real provider is configured: an OpenAI-compatible endpoint that streams back a short answer
 * built from the prompt, and an embedding model (`demo-embedding`, 256 dimensions) whose vectors are
 * lexical (shared words), not semantic. Structured-output requests (Classifier, Parameter extractor)
 * get valid JSON or a tool call of the requested shape (./lib/demo-answers.ts), so those nodes succeed
 * offline too. Replace it with a real provider in Settings → Models.
 */
import { startOpenAiServer } from "../tests/fixtures/openai-server";
import { demoReply } from "./lib/demo-answers";

const port = Number(process.argv[process.argv.indexOf("--port") + 1] || 4010);
const server = await startOpenAiServer({ port, host: "127.0.0.1", models: ["demo-echo", "demo-embedding"], chunkDelayMs: 40, reply: demoReply });
console.log(`[demo-model] OpenAI-compatible demo model at ${server.url}`);

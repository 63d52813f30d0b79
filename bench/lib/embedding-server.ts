/**
 * The OpenAI-wire test server (tests/fixtures/openai-server.ts) in a process of its own, for
 * benchmarks that must tell the embedding server's CPU apart from the pipeline's. Prints
 * `{"url": …}` on its first line; exits with its parent's stdin.
 *
 *   node --import tsx bench/lib/embedding-server.ts --models a,b [--dimensions 256]
 */
import { startOpenAiServer } from "../../tests/fixtures/openai-server";

const arg = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const models = (arg("models") ?? "bench-embedding").split(",");
const dimensions = arg("dimensions");
const server = await startOpenAiServer({ host: "127.0.0.1", models, ...(dimensions ? { embeddingDimensions: Number(dimensions) } : {}) });
// The server records every request for tests; a benchmark's thousands of bodies would only grow its memory.
setInterval(() => (server.requests.length = 0), 1_000).unref();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

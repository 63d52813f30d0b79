import { readFileSync } from "node:fs";
import { largeSpec } from "../tests/fixtures/openapi/generate-large";
import { prepareOpenApi } from "@/lib/tools/openapi";

/**
 * OpenAPI import speed: parse + dereference + one tool per operation (no database), for the
 * 400-operation fixture and a generated 2,000-operation document. Prints figures, asserts nothing.
 *   node --import tsx bench/openapi-import.ts
 */
async function time(label: string, text: string, runs = 5) {
  const times: number[] = [];
  let operations = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const doc = await prepareOpenApi(text);
    times.push(performance.now() - started);
    operations = doc.operations.length;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${label}: ${operations} operations, ${(text.length / 1024).toFixed(0)} KiB; median ${median.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms over ${runs} runs`);
}

await time("tests/fixtures/openapi/large.json", readFileSync(new URL("../tests/fixtures/openapi/large.json", import.meta.url), "utf8"));
await time("generated, 500 resources", JSON.stringify(largeSpec(500)), 3);

import type { MessageContent } from "@langchain/core/messages";
import { getEncodingNameForModel, Tiktoken, type TiktokenBPE, type TiktokenModel } from "js-tiktoken/lite";

/**
 * Token counting from encodings bundled in the js-tiktoken package. @langchain/core's own
 * getNumTokens downloads encodings from the internet on first use (and hangs offline), so every
 * chat model we build gets this one instead. Counts for non-OpenAI models are estimates: run
 * usage always comes from the provider's own numbers, this only serves LangChain helpers
 * (message trimming and the like).
 */

type LocalEncoding = "o200k_base" | "cl100k_base";

const encoders = new Map<LocalEncoding, Promise<Tiktoken>>();

function encodingFor(model: string): LocalEncoding {
  try {
    return getEncodingNameForModel(model as TiktokenModel) === "cl100k_base" ? "cl100k_base" : "o200k_base";
  } catch {
    return "o200k_base";
  }
}

async function ranks(encoding: LocalEncoding): Promise<TiktokenBPE> {
  // Loaded on first use only: the rank tables are megabytes of JavaScript.
  switch (encoding) {
    case "o200k_base":
      return (await import("js-tiktoken/ranks/o200k_base")).default;
    case "cl100k_base":
      return (await import("js-tiktoken/ranks/cl100k_base")).default;
  }
}

function encoder(encoding: LocalEncoding): Promise<Tiktoken> {
  let pending = encoders.get(encoding);
  if (!pending) {
    pending = ranks(encoding).then((bpe) => new Tiktoken(bpe));
    encoders.set(encoding, pending);
  }
  return pending;
}

function textOf(content: MessageContent): string {
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part === "string" ? part : part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

export async function countTokens(content: MessageContent, model: string): Promise<number> {
  const text = textOf(content);
  if (!text) return 0;
  return (await encoder(encodingFor(model))).encode(text).length;
}

/** Replaces a LangChain model's getNumTokens with the local counter (instance-level, nothing else changes). */
export function withLocalTokenizer<M extends { getNumTokens(content: MessageContent): Promise<number> }>(model: M, modelName: string): M {
  model.getNumTokens = (content: MessageContent) => countTokens(content, modelName);
  return model;
}

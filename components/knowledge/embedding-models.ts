/** Embedding-model choices from the workspace's providers (Anthropic has no embeddings API). */

export interface EmbeddingOption {
  /** `providerId|model` (a provider id is a UUID, so it never holds `|`). */
  value: string;
  providerId: string;
  model: string;
  label: string;
}

const EMBEDDING_KINDS = new Set(["openai_compatible", "ollama"]);
const looksLikeEmbedding = (model: string) => /embed/i.test(model);

/**
 * Every model of a provider that can serve embeddings; models named like embedding models come
 * first. Providers do not say which models embed, so creating a knowledge base asks the model once
 * and a chat model is refused then with the provider's own message.
 */
export function embeddingOptions(providers: { id: string; name: string; kind: string; models: string[] }[]): EmbeddingOption[] {
  const options = providers
    .filter((provider) => EMBEDDING_KINDS.has(provider.kind))
    .flatMap((provider) => provider.models.map((model) => ({ value: `${provider.id}|${model}`, providerId: provider.id, model, label: `${provider.name} · ${model}` })));
  return options.sort((a, b) => Number(looksLikeEmbedding(b.model)) - Number(looksLikeEmbedding(a.model)));
}

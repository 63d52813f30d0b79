import { describe, expect, it } from "vitest";
import { draftFor, draftsToInfo } from "@/components/settings/model-info-table";
import { costOf } from "@/lib/models/cost";
import { knownModel } from "@/lib/models/known-models";
import { ModelInfoMapSchema } from "@/lib/providers/schema";

describe("known model metadata", () => {
  it("matches exact names, Ollama tags and dated snapshots; unknown names get nothing", () => {
    expect(knownModel("gpt-4o-mini")).toMatchObject({ contextWindow: 128_000, inputPrice: 0.15, outputPrice: 0.6, currency: "USD" });
    expect(knownModel("llama3.2:latest")).toMatchObject({ contextWindow: 131_072 });
    expect(knownModel("gpt-4o-2024-08-06")).toMatchObject({ inputPrice: 2.5 });
    expect(knownModel("qwen-plus")?.currency).toBe("CNY");
    expect(knownModel("my-finetune")).toBeUndefined();
  });
});

describe("the Settings → Models details table", () => {
  it("starts a row from the stored info, else the known values, else blanks, and saves typed values as numbers", () => {
    expect(draftFor("gpt-4o", undefined)).toMatchObject({ contextWindow: "128000", inputPrice: "2.5", outputPrice: "10", currency: "USD" });
    expect(draftFor("mine", undefined)).toEqual({
      contextWindow: "",
      maxOutputTokens: "",
      inputPrice: "",
      outputPrice: "",
      currency: "USD",
      capabilities: { tools: true, json: false, vision: false, streaming: true },
    });
    const stored = ModelInfoMapSchema.parse({ "gpt-4o": { inputPrice: 1, currency: "EUR" } });
    expect(draftFor("gpt-4o", stored)).toMatchObject({ inputPrice: "1", outputPrice: "", currency: "EUR", contextWindow: "" });

    const drafts = { mine: { ...draftFor("mine", undefined), contextWindow: "32000", inputPrice: "0.5", outputPrice: "" } };
    const info = draftsToInfo(["mine", "absent"], drafts);
    expect(info).toEqual({ mine: { contextWindow: 32000, maxOutputTokens: undefined, inputPrice: 0.5, outputPrice: undefined, currency: "USD", capabilities: drafts.mine.capabilities } });
    expect(ModelInfoMapSchema.safeParse(info).success).toBe(true);
  });
});

describe("costOf", () => {
  const usage = { promptTokens: 1_000_000, completionTokens: 500_000, totalTokens: 1_500_000 };
  it("prices input and output tokens per million in the model's currency", () => {
    expect(costOf(usage, ModelInfoMapSchema.parse({ m: { inputPrice: 0.8, outputPrice: 2, currency: "cny" } }).m)).toEqual({ CNY: 1.8 });
    expect(costOf(usage, ModelInfoMapSchema.parse({ m: { outputPrice: 10 } }).m)).toEqual({ USD: 5 });
  });
  it("is unknown (not zero) without prices", () => {
    expect(costOf(usage, undefined)).toBeUndefined();
    expect(costOf(usage, ModelInfoMapSchema.parse({ m: { contextWindow: 10 } }).m)).toBeUndefined();
  });
});

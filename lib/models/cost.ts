import type { Cost } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import type { ModelInfo } from "@/lib/providers/schema";

/**
 * Cost of one call from the provider-reported usage and the model's prices (per million tokens).
 * Undefined when the model has no price: an unknown cost is not a zero cost.
 */
export function costOf(usage: TokenUsage, info: ModelInfo | undefined): Cost | undefined {
  if (!info || (info.inputPrice === undefined && info.outputPrice === undefined)) return undefined;
  const amount = (usage.promptTokens * (info.inputPrice ?? 0) + usage.completionTokens * (info.outputPrice ?? 0)) / 1_000_000;
  // Ten decimal places: exact enough for sums of many small calls, free of float noise in the UI.
  return { [info.currency]: Math.round(amount * 1e10) / 1e10 };
}

/** Sums costs currency by currency. */
export function addCosts(a: Cost | undefined, b: Cost | undefined): Cost | undefined {
  if (!b) return a;
  if (!a) return { ...b };
  const sum: Cost = { ...a };
  for (const [currency, amount] of Object.entries(b)) sum[currency] = Math.round(((sum[currency] ?? 0) + amount) * 1e10) / 1e10;
  return sum;
}

/** "$0.0123", "¥1.20", "0.50 EUR": for run lists and step details. */
export function formatCost(cost: Cost | null | undefined): string {
  if (!cost) return "";
  const symbols: Record<string, string> = { USD: "$", CNY: "¥", EUR: "€", GBP: "£", JPY: "¥" };
  // Sorted by currency: JSON(B) key order is not stable across reads.
  return Object.entries(cost)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => {
      const digits = amount === 0 ? 2 : amount < 0.01 ? 4 : 2;
      const value = amount.toFixed(digits);
      const symbol = symbols[currency];
      return symbol && Object.keys(cost).length === 1 ? `${symbol}${value}` : `${value} ${currency}`;
    })
    .join(" + ");
}

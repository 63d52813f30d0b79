/** Reciprocal rank fusion constant: 60, as in Cormack et al. and most search engines. */
export const RRF_K = 60;

export interface Ranked {
  id: string;
}

/**
 * Fuses ranked lists by reciprocal rank: score(d) = Σ 1 / (k + rank in list), rank from 1.
 * Scores are divided by the best possible (first in every list), so they fall in (0, 1] and a
 * score threshold means the same whatever the number of lists. Ties keep first-list order.
 */
export function reciprocalRankFusion(lists: Ranked[][], k = RRF_K): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((item, index) => scores.set(item.id, (scores.get(item.id) ?? 0) + 1 / (k + index + 1)));
  }
  const best = lists.filter((list) => list.length).length / (k + 1);
  return [...scores.entries()].map(([id, score]) => ({ id, score: best ? score / best : 0 })).sort((a, b) => b.score - a.score);
}

/**
 * An undo/redo stack of whole states (the editor keeps immutable documents, so a state is a few
 * references, not a copy). Kept free of React and of the editor's types so it can be tested alone;
 * doc-history.ts decides what a "change" is and feeds this stack.
 */

export interface RecordOptions {
  /** Changes with the same key close together (typing in one field) become one entry. */
  key?: string | null;
  /** When the change happened (ms). */
  at: number;
  /** Fold into the previous entry whatever the key (parts of one user action). */
  merge?: boolean;
}

export interface HistoryLimits {
  /** Entries kept; the oldest go first. */
  limit?: number;
  /** Same-key changes at most this far apart (ms) coalesce. */
  coalesceMs?: number;
}

interface Entry<T> {
  state: T;
  key: string | null;
  at: number;
}

export const DEFAULT_HISTORY_LIMIT = 100;
export const DEFAULT_COALESCE_MS = 1_000;

export class UndoStack<T> {
  private past: Entry<T>[] = [];
  private future: T[] = [];
  /** After an undo or redo the next change always starts a new entry. */
  private sealed = true;
  private readonly limit: number;
  private readonly coalesceMs: number;

  constructor(limits: HistoryLimits = {}) {
    this.limit = Math.max(1, limits.limit ?? DEFAULT_HISTORY_LIMIT);
    this.coalesceMs = limits.coalesceMs ?? DEFAULT_COALESCE_MS;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  get size(): number {
    return this.past.length;
  }

  /** A change happened; `before` is the state just before it. A new change clears redo. */
  record(before: T, options: RecordOptions): void {
    this.future = [];
    const top = this.past[this.past.length - 1];
    const key = options.key ?? null;
    const coalesce = top && !this.sealed && (options.merge || (key !== null && top.key === key && options.at - top.at <= this.coalesceMs));
    this.sealed = false;
    if (coalesce) {
      // The entry keeps the state before the first change of the group.
      top.at = options.at;
      return;
    }
    this.past.push({ state: before, key, at: options.at });
    if (this.past.length > this.limit) this.past.splice(0, this.past.length - this.limit);
  }

  /** The state to go back to (`current` moves to redo), or undefined when there is nothing to undo. */
  undo(current: T): T | undefined {
    const entry = this.past.pop();
    if (!entry) return undefined;
    this.future.push(current);
    this.sealed = true;
    return entry.state;
  }

  /** The state to go forward to (`current` moves to undo), or undefined when there is nothing to redo. */
  redo(current: T): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push({ state: current, key: null, at: 0 });
    this.sealed = true;
    return next;
  }

  /** Ends the current group: the next change is a new entry even with the same key. */
  seal(): void {
    this.sealed = true;
  }

  clear(): void {
    this.past = [];
    this.future = [];
    this.sealed = true;
  }
}

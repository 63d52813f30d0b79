import type { Graph } from "@/lib/engine/graph";

/**
 * Debounced, serialized saving of the draft graph: never two saves in flight, and the state
 * current when a save finishes is saved next, so the latest edit always wins. A conflict
 * (someone else saved a newer revision) stops saving until the page is reloaded.
 */

export type SaveStatus = "saved" | "dirty" | "saving" | "conflict" | "error";

export interface SaveState {
  status: SaveStatus;
  revision: number;
  message?: string;
}

export type SaveResult =
  | { ok: true; revision: number }
  | { ok: false; kind: "conflict"; revision?: number; message: string }
  | { ok: false; kind: "invalid" | "error"; message: string };

export interface AutosaverOptions {
  /** `base`: the graph the server holds at `revision` (what a patch save is computed against). */
  save(graph: Graph, revision: number, base: Graph): Promise<SaveResult>;
  onState(state: SaveState): void;
  revision: number;
  /** The graph as last loaded from the server. */
  saved: Graph;
  delayMs?: number;
  retryMs?: number;
  /** How long `touch` waits before reading and serialising the graph (a drag touches it every frame). */
  readDelayMs?: number;
}

export class Autosaver {
  private readonly options: AutosaverOptions;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private revision: number;
  private savedJson: string;
  private savedGraph: Graph;
  private readonly readDelayMs: number;
  private reader: (() => Graph) | null = null;
  private readTimer: ReturnType<typeof setTimeout> | null = null;
  private latest: { graph: Graph; json: string };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private lastSentJson = "";
  private flushWhenDone = false;
  private stopped = false;
  private state: SaveState;

  constructor(options: AutosaverOptions) {
    this.options = options;
    this.delayMs = options.delayMs ?? 600;
    this.retryMs = options.retryMs ?? 5_000;
    this.revision = options.revision;
    this.savedJson = JSON.stringify(options.saved);
    this.savedGraph = options.saved;
    this.readDelayMs = options.readDelayMs ?? 100;
    this.latest = { graph: options.saved, json: this.savedJson };
    this.state = { status: "saved", revision: this.revision };
  }

  get current(): SaveState {
    return this.state;
  }

  get hasUnsavedChanges(): boolean {
    this.readPending();
    return this.latest.json !== this.savedJson;
  }

  /**
   * The graph may have changed: `read` is called (and its result serialised and compared) once,
   * a moment later, however often this is called meanwhile; flush, settle and hasUnsavedChanges
   * read it at once.
   */
  touch(read: () => Graph): void {
    this.reader = read;
    if (this.readTimer) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.readPending();
    }, this.readDelayMs);
  }

  private readPending(): void {
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = null;
    const read = this.reader;
    this.reader = null;
    if (read) this.update(read());
  }

  /** Call with the graph after every edit; unchanged graphs (selection, measuring) cost nothing. */
  update(graph: Graph): void {
    const json = JSON.stringify(graph);
    if (json === this.latest.json) return;
    this.latest = { graph, json };
    if (this.stopped) return;
    if (!this.running) this.setState(this.hasUnsavedChanges ? { status: "dirty" } : { status: "saved" });
    this.schedule(this.delayMs);
  }

  /** Saves now (or right after the save in flight). */
  async flush(): Promise<void> {
    this.readPending();
    this.clearTimer();
    if (this.stopped) return;
    if (this.running) {
      this.flushWhenDone = true;
      return;
    }
    if (!this.hasUnsavedChanges) {
      if (this.state.status !== "saved") this.setState({ status: "saved" });
      return;
    }
    this.running = this.saveLatest();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
    if (this.flushWhenDone) {
      this.flushWhenDone = false;
      // After a failure, only a graph that changed since is worth sending at once.
      const changed = this.latest.json !== this.lastSentJson;
      if (this.hasUnsavedChanges && !this.stopped && (this.state.status !== "error" || changed)) await this.flush();
    }
  }

  /**
   * Waits for the save in flight and saves whatever is still unsaved; true when the server
   * has the latest graph (a run started next will see it).
   */
  async settle(): Promise<boolean> {
    this.readPending();
    await this.idle();
    if (!this.stopped && this.hasUnsavedChanges) await this.flush();
    await this.idle();
    return !this.hasUnsavedChanges;
  }

  private async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private async saveLatest(): Promise<void> {
    const sent = this.latest;
    this.lastSentJson = sent.json;
    this.setState({ status: "saving" });
    let result: SaveResult;
    try {
      result = await this.options.save(sent.graph, this.revision, this.savedGraph);
    } catch (error) {
      result = { ok: false, kind: "error", message: error instanceof Error ? error.message : "The save failed." };
    }
    if (this.stopped) return;
    if (result.ok) {
      this.revision = result.revision;
      this.savedJson = sent.json;
      this.savedGraph = sent.graph;
      if (!this.hasUnsavedChanges) {
        this.setState({ status: "saved" });
      } else {
        this.setState({ status: "dirty" });
        if (!this.flushWhenDone && !this.timer) this.schedule(this.delayMs);
      }
      return;
    }
    if (result.kind === "conflict") {
      this.stopped = true;
      this.clearTimer();
      this.setState({ status: "conflict", message: result.message });
      return;
    }
    this.setState({ status: "error", message: result.message });
    // A network or server error may pass; an invalid request will not until the graph changes.
    if (result.kind === "error") this.schedule(this.retryMs);
  }

  dispose(): void {
    this.stopped = true;
    this.clearTimer();
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = null;
    this.reader = null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(next: Omit<SaveState, "revision">): void {
    this.state = { ...next, revision: this.revision };
    this.options.onState(this.state);
  }
}

/**
 * Runs a chat turn stream's handlers (stream.ts) in arrival order, except that while
 * `during(work)` is under way (joining sub-workflow runs) they wait in line, and run in order once
 * no work is left: a child that ended before it was followed is told from its snapshot, and the
 * parent's events that came after it must be sent after that.
 */
export function holdQueue() {
  let holds = 0;
  const queued: (() => void)[] = [];
  const drain = () => {
    while (holds === 0 && queued.length > 0) queued.shift()!();
  };
  return {
    run(handler: () => void) {
      if (holds > 0 || queued.length > 0) queued.push(handler);
      else handler();
    },
    async during<T>(work: () => Promise<T>): Promise<T> {
      holds++;
      try {
        return await work();
      } finally {
        holds--;
        drain();
      }
    },
  };
}

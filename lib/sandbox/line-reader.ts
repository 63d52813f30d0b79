/**
 * Splits a byte stream into lines, refusing any line longer than `maxBytes` without buffering it:
 * a child that writes an endless line costs the parent at most `maxBytes` of memory.
 */
export function lineSplitter(maxBytes: number, onLine: (line: string) => void, onOversize: () => void) {
  let parts: Buffer[] = [];
  let size = 0;
  let refused = false;
  return (chunk: Buffer) => {
    if (refused) return;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (size + piece.length > maxBytes) return refuse();
      const line = parts.length === 0 ? piece.toString("utf8") : Buffer.concat([...parts, piece]).toString("utf8");
      parts = [];
      size = 0;
      start = nl + 1;
      onLine(line);
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return refuse();
    if (rest.length > 0) {
      parts.push(rest);
      size += rest.length;
    }
  };

  function refuse() {
    refused = true;
    parts = [];
    onOversize();
  }
}

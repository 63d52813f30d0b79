/**
 * Keeps only the mappings of a source map that point into the project's own sources.
 *
 * Why: Node decodes every mapping of a bundle's map when the bundle loads under
 * --enable-source-maps. The worker bundle's full map (all of node_modules) cost about 120 MiB of
 * RSS; our own code is a few percent of it. Stack frames inside dependencies then show the
 * bundle's position instead of the package's, which is what a stack trace from node_modules
 * shows anyway.
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`bad source map character "${char}"`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeValue(value: number): string {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let out = "";
  do {
    let digit = rest % 32;
    rest = Math.floor(rest / 32);
    if (rest > 0) digit += 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

interface SourceMapJson {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

/** Returns `map` with the segments whose source fails `keep` removed, and the sources it no longer uses emptied. */
export function trimSourceMap(map: SourceMapJson, keep: (source: string) => boolean): SourceMapJson {
  const kept = map.sources.map(keep);
  // Absolute values carried across the whole mappings string (all but the generated column).
  let source = 0, line = 0, column = 0, name = 0;
  let outSource = 0, outLine = 0, outColumn = 0, outName = 0;
  const lines = map.mappings.split(";").map((lineText) => {
    let genColumn = 0, outGenColumn = 0;
    const segments: string[] = [];
    for (const segmentText of lineText ? lineText.split(",") : []) {
      const [dCol, dSource, dLine, dColumn, dName] = decodeSegment(segmentText);
      genColumn += dCol!;
      if (dSource === undefined) continue; // a segment with no source: nothing to keep
      source += dSource;
      line += dLine!;
      column += dColumn!;
      if (dName !== undefined) name += dName;
      if (!kept[source]) continue;
      let segment = encodeValue(genColumn - outGenColumn) + encodeValue(source - outSource) + encodeValue(line - outLine) + encodeValue(column - outColumn);
      if (dName !== undefined) (segment += encodeValue(name - outName), (outName = name));
      outGenColumn = genColumn;
      outSource = source;
      outLine = line;
      outColumn = column;
      segments.push(segment);
    }
    return segments.join(",");
  });
  return {
    ...map,
    sources: map.sources.map((s, i) => (kept[i] ? s : "")),
    ...(map.sourcesContent ? { sourcesContent: map.sourcesContent.map((c, i) => (kept[i] ? c : null)) } : {}),
    mappings: lines.join(";"),
  };
}

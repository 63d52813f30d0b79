import type { RunEvent } from "@/lib/engine/run-ports";

/**
 * One run's events of one publisher batch, encoded for the `weftPublishRunEvents` script
 * (events.ts): the script keeps each step's partial text and publishes the message in one call, so
 * a batch costs one round trip to Redis whether or not it streams text.
 *
 * A delta's byte offset in its step's partial text is only known once Redis has appended it, so the
 * message travels as fragments with a gap after each delta's `"offset":`; the script fills each gap
 * with the offset it computed and joins them.
 */
export interface EncodedRunEvents {
  /** The partial-text key of each operation, in the events' order. */
  keys: string[];
  /** One letter per key: `a` appends the next text, `r` resets (a step that runs again streams afresh). */
  ops: string;
  /** The text of each `a`, in order. */
  texts: string[];
  /** The message around the offsets: one more fragment than there are texts. */
  fragments: string[];
}

export function encodeRunEvents(events: RunEvent[], partialKeyOf: (nodeId: string, iteration: number) => string): EncodedRunEvents {
  const encoded: EncodedRunEvents = { keys: [], ops: "", texts: [], fragments: [] };
  const single = events.length === 1;
  let current = single ? "" : "[";
  events.forEach((event, index) => {
    if (index > 0) current += ",";
    if (event.type === "delta") {
      encoded.keys.push(partialKeyOf(event.nodeId, event.iteration));
      encoded.ops += "a";
      encoded.texts.push(event.text);
      const { offset: _unset, ...rest } = event;
      // `{...}` without its closing brace, then the gap the script fills with the offset.
      encoded.fragments.push(`${current}${JSON.stringify(rest).slice(0, -1)},"offset":`);
      current = "}";
      return;
    }
    if (event.type === "step" && event.status === "running") {
      encoded.keys.push(partialKeyOf(event.nodeId, event.iteration));
      encoded.ops += "r";
    }
    current += JSON.stringify(event);
  });
  encoded.fragments.push(single ? current : `${current}]`);
  return encoded;
}

/**
 * KEYS: the partial-text keys; ARGV: channel, TTL in seconds, ops, the texts, the fragments.
 * APPEND returns the new length in bytes; the delta's offset is that minus its own byte length.
 */
export const PUBLISH_RUN_EVENTS_LUA = `
local ops = ARGV[3]
local arg = 4
local offsets = {}
for i = 1, #ops do
  if string.sub(ops, i, i) == "r" then
    redis.call("DEL", KEYS[i])
  else
    local text = ARGV[arg]
    arg = arg + 1
    local length = redis.call("APPEND", KEYS[i], text)
    redis.call("EXPIRE", KEYS[i], ARGV[2])
    offsets[#offsets + 1] = length - string.len(text)
  end
end
local parts = {}
for j = 1, #offsets do
  parts[#parts + 1] = ARGV[arg + j - 1]
  parts[#parts + 1] = string.format("%d", offsets[j])
end
parts[#parts + 1] = ARGV[arg + #offsets]
redis.call("PUBLISH", ARGV[1], table.concat(parts))
return #offsets
`;

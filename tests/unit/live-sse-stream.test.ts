import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { liveSseStream } from "@/lib/api/run-stream";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** A request as a server hands it to a route: its signal follows the connection's. */
function requestFollowing(connection: AbortController): Request {
  return new Request("http://weft.test/api/stream", { signal: connection.signal });
}

const decoder = new TextDecoder();

describe("liveSseStream: the client going away", () => {
  it("is seen after the route returned and its Request was garbage-collected: the stream holds the Request", async () => {
    const connection = new AbortController();
    const gone = vi.fn();
    const unsubscribed = vi.fn(async () => undefined);
    // Only the stream is kept, as a server keeps the response body it pipes.
    const stream = ((request: Request) => liveSseStream(request, async () => unsubscribed, gone))(requestFollowing(connection));
    for (let i = 0; i < 4; i++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    connection.abort();
    expect(gone).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(unsubscribed).toHaveBeenCalledTimes(1));
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(true);
  });

  it("a cancelled response stream counts as the client going away, once", async () => {
    const connection = new AbortController();
    const gone = vi.fn();
    const unsubscribed = vi.fn(async () => undefined);
    const stream = liveSseStream(
      requestFollowing(connection),
      async (io) => {
        io.write("data: first\n\n");
        return unsubscribed;
      },
      gone,
    );
    const reader = stream.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe("data: first\n\n");
    await reader.cancel();
    connection.abort();
    expect(gone).toHaveBeenCalledTimes(1);
    expect(unsubscribed).toHaveBeenCalledTimes(1);
  });

  it("a stream its follower closed does not report the client gone when the connection closes afterwards", async () => {
    const connection = new AbortController();
    const gone = vi.fn();
    const stream = liveSseStream(
      requestFollowing(connection),
      async (io) => {
        io.write("data: [DONE]\n\n");
        io.close();
        return async () => undefined;
      },
      gone,
    );
    const reader = stream.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe("data: [DONE]\n\n");
    expect((await reader.read()).done).toBe(true);
    connection.abort();
    expect(gone).not.toHaveBeenCalled();
  });

  it("a request aborted before the stream starts closes it at once, and the follower's subscription is released", async () => {
    const connection = new AbortController();
    connection.abort();
    const gone = vi.fn();
    const unsubscribed = vi.fn(async () => undefined);
    const stream = liveSseStream(requestFollowing(connection), async () => unsubscribed, gone);
    expect((await stream.getReader().read()).done).toBe(true);
    expect(gone).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(unsubscribed).toHaveBeenCalledTimes(1));
  });
});

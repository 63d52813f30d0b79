import { spawn, type ChildProcess } from "node:child_process";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * An MCP stdio client transport that starts the server with exactly the environment it is given.
 * The SDK's StdioClientTransport always merges its "default environment" (HOME, LOGNAME, PATH,
 * SHELL, TERM, USER copied from this process) under the configured one, so a server would still
 * see values of the web or worker process; this one passes `env` as is, and a working directory.
 */

export interface IsolatedStdioOptions {
  command: string;
  args: string[];
  /** The child's whole environment. */
  env: Record<string, string>;
  cwd: string;
  /** Receives what the server writes to stderr. */
  onStderr?: (chunk: Buffer) => void;
}

/** How long close() waits after closing stdin, then after SIGTERM, before the next step (as the SDK does). */
const CLOSE_GRACE_MS = 2_000;

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export class IsolatedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly options: IsolatedStdioOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): Promise<void> {
    if (this.child) throw new Error("IsolatedStdioTransport already started");
    return new Promise((resolve, reject) => {
      const { command, args, env, cwd, onStderr } = this.options;
      // Typed as the full ProcessEnv (Next declares NODE_ENV required), but passed as given: that is the point.
      const child = spawn(command, args, { env: env as NodeJS.ProcessEnv, cwd, stdio: ["pipe", "pipe", "pipe"], shell: false });
      this.child = child;
      child.on("error", (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on("spawn", () => resolve());
      child.on("close", () => {
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr?.on("data", (chunk: Buffer) => onStderr?.(chunk));
    });
  }

  private receive(chunk: Buffer) {
    try {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message !== null; message = this.buffer.readMessage()) this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) return Promise.reject(new Error("Not connected"));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Closes stdin, then SIGTERM, then SIGKILL, each after a grace period the server did not use to exit. */
  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && !exited(child)) {
      const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
      const grace = () => Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      child.stdin?.end();
      await grace();
      if (!exited(child)) {
        child.kill("SIGTERM");
        await grace();
      }
      if (!exited(child)) child.kill("SIGKILL");
    }
    this.buffer.clear();
  }
}

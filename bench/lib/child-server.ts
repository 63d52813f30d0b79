import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** Starts bench/lib/embedding-server.ts as a child process; its pid gives its CPU (bench/lib/proc.ts). */
export async function startEmbeddingServerProcess(models: string[], options: { dimensions?: number } = {}): Promise<{ url: string; pid: number; close: () => void }> {
  const args = ["--import", "tsx", "bench/lib/embedding-server.ts", "--models", models.join(","), ...(options.dimensions ? ["--dimensions", String(options.dimensions)] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.once("exit", (code) => reject(new Error(`The embedding server exited with ${code}`)));
    child.stdout!.on("data", (data: Buffer) => {
      buffered += data.toString();
      const line = buffered.split("\n")[0];
      if (buffered.includes("\n") && line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { url, pid: child.pid!, close: () => child.stdin!.end() };
}

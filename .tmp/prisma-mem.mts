import { db } from "@/lib/db/client";
const rss = () => (process.memoryUsage().rss / 1048576).toFixed(0);
(globalThis as any).gc?.();
console.log("after import", rss(), process.memoryUsage().heapUsed/1048576|0);
await db().run.count();
(globalThis as any).gc?.();
await new Promise(r=>setTimeout(r,500));
console.log("after query", rss(), process.memoryUsage().heapUsed/1048576|0);
process.exit(0);

import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

export type Db = PrismaClient;

export function createDb(connectionString: string = env().DATABASE_URL): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

// One client per process; kept on globalThis so Next's dev reloads do not open new pools.
const holder = globalThis as unknown as { __weftDb?: Db };

export function db(): Db {
  holder.__weftDb ??= createDb();
  return holder.__weftDb;
}

/**
 * Creates the app's database if it is missing and applies every migration, offline.
 * Usage: node --import tsx scripts/db-setup.ts [--reset]   (uses DATABASE_URL)
 */
import { ensureDatabase } from "./lib/database";

const reset = process.argv.includes("--reset");
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft";
await ensureDatabase(url, { reset });

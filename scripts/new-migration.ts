/**
 * Writes a new migration offline from the difference between the last committed schema and the
 * working copy: `npm run db:new-migration -- add_something`. (Prisma's `migrate dev` needs a
 * native engine this project does not download; `migrate diff` between two datamodels does not.)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:new-migration -- <snake_case_name>");
  process.exit(1);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const work = mkdtempSync(path.join(tmpdir(), "weft-migration-"));
const previous = path.join(work, "previous.prisma");
let from = ["--from-empty"];
try {
  writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: root }));
  from = ["--from-schema-datamodel", previous];
} catch {
  // No committed schema yet: diff from empty.
}
const sql = execFileSync(
  "bash",
  ["scripts/prisma.sh", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { cwd: root, encoding: "utf8" },
);
if (!sql.trim() || /This is an empty migration/.test(sql)) {
  console.log("No schema changes since the last commit.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const folder = path.join(root, "prisma/migrations", `${stamp}_${name}`);
mkdirSync(folder);
writeFileSync(path.join(folder, "migration.sql"), sql);
console.log(`Wrote ${path.relative(root, folder)}/migration.sql — apply with npm run db:migrate`);

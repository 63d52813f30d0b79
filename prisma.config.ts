import "dotenv/config";
import { createRequire } from "node:module";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Prisma 7's CLI cannot migrate offline; Prisma 6.19 with the JS schema engine and the pg
// driver adapter can. See docs/architecture.md "Migrations offline".

/**
 * @prisma/adapter-pg 6.19 cannot deserialize PostgreSQL's `name` (OID 19) and `"char"` (OID 18)
 * columns, which the schema engine reads from the catalogues (prisma/orm#27403). Make pg report
 * them as text (OID 25). Only the CLI loads this file; the runtime client does not need it.
 */
function reportCatalogTypesAsText() {
  const require = createRequire(import.meta.url);
  const Result = require("pg/lib/result") as { prototype: { addFields(fields: { dataTypeID: number }[]): void; __weftPatched?: boolean } };
  if (Result.prototype.__weftPatched) return;
  const addFields = Result.prototype.addFields;
  Result.prototype.addFields = function (fields) {
    for (const field of fields) if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
    return addFields.call(this, fields);
  };
  Result.prototype.__weftPatched = true;
}

// Same default as lib/env.ts, so a fresh clone migrates the local database without a .env.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/weft";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "node --import tsx prisma/seed.ts" },
  async adapter() {
    reportCatalogTypesAsText();
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});

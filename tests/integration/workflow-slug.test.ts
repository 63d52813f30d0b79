import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as workflowRoute from "@/app/api/workflows/[id]/route";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { ServiceError } from "@/lib/services/errors";
import { createWorkflow, duplicateWorkflow, getWorkflow, listWorkflows, renameWorkflow } from "@/lib/workflows/service";
import { exportWorkflow, importWorkflow } from "@/lib/workflows/transfer";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** Workflow slugs (unique per workspace, from the name, editable) and the expose-as-tool flag. */
const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;
let developer: Member;
let editor: Member;

beforeAll(async () => {
  developer = await createTestMember("developer");
  editor = { ...developer, role: "editor" };
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e as ServiceError,
  );

describe("slugs", () => {
  it("come from the name; a taken one gets -2, -3; other workspaces do not count", async () => {
    const a = await createWorkflow(developer, { name: "Refund Bot!" });
    const b = await createWorkflow(developer, { name: "refund bot" });
    const c = await createWorkflow(developer, { name: "Refund  bot" });
    const odd = await createWorkflow(developer, { name: "¿Qué? 日本" });
    const slugs = await Promise.all([a, b, c, odd].map(async ({ id }) => (await getWorkflow(developer, id)).slug));
    expect(slugs).toEqual(["refund-bot", "refund-bot-2", "refund-bot-3", "qu"]);
    const elsewhere = await createTestMember("developer");
    expect((await getWorkflow(elsewhere, (await createWorkflow(elsewhere, { name: "Refund bot" })).id)).slug).toBe("refund-bot");
    expect((await getWorkflow(developer, (await duplicateWorkflow(developer, a.id)).id)).slug).toBe("refund-bot-copy");
  });

  it("concurrent creations with one name all get distinct slugs", async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => createWorkflow(developer, { name: "Race" })));
    const slugs = await Promise.all(ids.map(async ({ id }) => (await getWorkflow(developer, id)).slug));
    expect(new Set(slugs).size).toBe(6);
    expect(slugs).toContain("race");
  });

  it("are edited with the details (validated; a taken one is a conflict), listed, and kept in exported files", async () => {
    const { id } = await createWorkflow(developer, { name: "Editable" });
    await renameWorkflow(editor, id, { name: "Editable", slug: "my_agent-1" });
    expect((await getWorkflow(developer, id)).slug).toBe("my_agent-1");
    expect((await listWorkflows(developer)).find((w) => w.id === id)).toMatchObject({ slug: "my_agent-1", exposeAsTool: false });
    const taken = await refusal(renameWorkflow(editor, id, { name: "Editable", slug: "refund-bot" }));
    expect(taken).toMatchObject({ code: "conflict", message: expect.stringMatching(/refund-bot.*already used/) });
    for (const bad of ["-lead", "Upper", "a b", "x".repeat(64), ""]) {
      await expect(renameWorkflow(editor, id, { name: "Editable", slug: bad })).rejects.toThrow(/slug/i);
    }
    expect((await getWorkflow(developer, id)).slug).toBe("my_agent-1");
    expect((await exportWorkflow(developer, id)).slug).toBe("my_agent-1");
  });

  it("imports keep a free slug and suffix a taken one; files without a slug take it from the name", async () => {
    const { id } = await createWorkflow(developer, { name: "Portable", graph: ticketGraph });
    const file = await exportWorkflow(developer, id);
    const again = await importWorkflow(developer, { file });
    expect((await getWorkflow(developer, again.id)).slug).toBe("portable-2");
    const other = await createTestMember("developer");
    const moved = await importWorkflow(other, { file: { ...file, slug: "custom-slug" } });
    expect((await getWorkflow(other, moved.id)).slug).toBe("custom-slug");
    const { slug: _dropped, ...legacy } = file;
    const old = await importWorkflow(other, { file: legacy, name: "Old File" });
    expect((await getWorkflow(other, old.id)).slug).toBe("old-file");
  });
});

describe("expose as tool", () => {
  it("is changed by members who may publish; an editor may save the other details but not flip it", async () => {
    const { id } = await createWorkflow(developer, { name: "Tool candidate" });
    const refused = await refusal(renameWorkflow(editor, id, { name: "Tool candidate", exposeAsTool: true }));
    expect(refused?.code).toBe("forbidden");
    expect((await getWorkflow(developer, id)).exposeAsTool).toBe(false);
    await renameWorkflow(developer, id, { name: "Tool candidate", exposeAsTool: true });
    expect((await getWorkflow(developer, id)).exposeAsTool).toBe(true);
    // Sending the unchanged value (the dialog does) is not a change.
    await renameWorkflow(editor, id, { name: "Tool candidate renamed", exposeAsTool: true });
    expect((await getWorkflow(developer, id)).name).toBe("Tool candidate renamed");
  });

  it("PATCH /api/workflows/:id takes slug and exposeAsTool (400 for a bad slug)", async () => {
    const owner = await signUpUser("Slug owner");
    const member = { userId: owner.userId, email: "", name: "Slug owner", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const { id } = await createWorkflow(member, { name: "Via route" });
    const patch = (body: unknown) => workflowRoute.PATCH(routeRequest("PATCH", `/api/workflows/${id}`, owner.cookie, body), routeParams(id));
    expect((await patch({ name: "Via route", slug: "via-route-x", exposeAsTool: true })).status).toBe(200);
    expect(await getWorkflow(member, id)).toMatchObject({ slug: "via-route-x", exposeAsTool: true });
    const bad = await patch({ name: "Via route", slug: "Not OK" });
    expect(bad.status).toBe(400);
  });
});

describe("the migration's backfill", () => {
  it("gives existing rows their name's slug, suffixing duplicates in a workspace with part of the id", async () => {
    const dir = path.join(process.cwd(), "prisma/migrations");
    const folder = readdirSync(dir).find((f) => f.endsWith("_workflow_slug_and_tool"))!;
    const sql = readFileSync(path.join(dir, folder, "migration.sql"), "utf8");
    const update = /UPDATE "workflows"[\s\S]*?;/.exec(sql)![0].replace(/;$/, "");
    const client = await poolOf(db()).connect();
    try {
      await client.query("BEGIN");
      // A temporary table shadows the real one in this session only (pg_temp is searched first).
      await client.query(`CREATE TEMP TABLE "workflows" ("id" text, "workspaceId" text, "name" text, "createdAt" timestamp, "slug" text) ON COMMIT DROP`);
      await client.query(
        `INSERT INTO "workflows" VALUES ('aaaaaa-1', 'w1', 'Refund Bot', now() - interval '2 day', 'wf-x'), ('bbbbbb-2', 'w1', 'refund bot!', now(), 'wf-y'),
                ('cccccc-3', 'w2', 'Refund bot', now(), 'wf-z'), ('dddddd-4', 'w1', '日本', now(), 'wf-q'), ('eeeeee-5', 'w1', '${"Long name ".repeat(10)}', now(), 'wf-r')`,
      );
      await client.query(update);
      const { rows } = await client.query<{ id: string; slug: string }>(`SELECT "id", "slug" FROM "workflows" ORDER BY "id"`);
      expect(rows.map((r) => r.slug)).toEqual(["refund-bot", "refund-bot-bbbbbb", "refund-bot", "workflow", "long-name-".repeat(6).slice(0, 56)]);
      for (const { slug } of rows) expect(slug).toMatch(/^[a-z0-9][a-z0-9-_]{0,62}$/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});

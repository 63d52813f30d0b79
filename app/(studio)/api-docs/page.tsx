import type { Metadata } from "next";
import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { buildOpenApiDocument, type OpenApiOperation } from "@/lib/api/openapi";
import { requireMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API reference" };

/** Inline `code` and **bold** from the document's descriptions, rendered as elements (never as HTML). */
function Prose({ text }: { text: string }) {
  return (
    <>
      {text.split("\n\n").map((paragraph, i) => (
        <p key={i} className="text-sm leading-relaxed text-muted-foreground">
          {paragraph.split(/(`[^`]+`|\*\*[^*]+\*\*)/g).map((part, j): ReactNode => {
            if (part.startsWith("`") && part.endsWith("`")) return <code key={j} className="rounded bg-zinc-100 px-1 text-xs text-foreground">{part.slice(1, -1)}</code>;
            if (part.startsWith("**") && part.endsWith("**")) return <strong key={j} className="text-foreground">{part.slice(2, -2)}</strong>;
            return <Fragment key={j}>{part}</Fragment>;
          })}
        </p>
      ))}
    </>
  );
}

const refName = (schema: Record<string, unknown>) => (typeof schema.$ref === "string" ? schema.$ref.replace("#/components/schemas/", "") : null);

function SchemaLink({ schema }: { schema: Record<string, unknown> }) {
  const name = refName(schema);
  return name ? <a className="font-mono text-xs underline" href={`#schema-${name}`}>{name}</a> : <code className="text-xs">{JSON.stringify(schema)}</code>;
}

function Operation({ method, path, op }: { method: string; path: string; op: OpenApiOperation }) {
  return (
    <section id={op.operationId} className="space-y-3 rounded-lg border p-5" data-testid="api-operation">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={method === "get" ? "blue" : "green"} className="uppercase">{method}</Badge>
        <code className="text-sm font-semibold">{path}</code>
        {op["x-weft-scope"] ? (
          <Badge tone="grey">scope {op["x-weft-scope"]}</Badge>
        ) : op.security.some((s) => s.bearer) ? (
          <Badge tone="muted">authentication set per webhook</Badge>
        ) : (
          <Badge tone="muted">no key needed</Badge>
        )}
      </div>
      <h3 className="font-medium">{op.summary}</h3>
      {op.description ? <Prose text={op.description} /> : null}
      {op.parameters?.length ? (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Parameters</h4>
          <ul className="mt-1 space-y-1 text-sm">
            {op.parameters.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code className="text-xs">{p.name}</code> <span className="text-xs text-muted-foreground">({p.in}{p.required ? ", required" : ""})</span> — {p.description}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {op.requestBody ? (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Request body</h4>
          {Object.entries(op.requestBody.content).map(([type, content]) => (
            <p key={type} className="text-sm">
              <code className="text-xs">{type}</code>: <SchemaLink schema={content.schema} />
            </p>
          ))}
        </div>
      ) : null}
      <div>
        <h4 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Responses</h4>
        <ul className="mt-1 space-y-1 text-sm">
          {Object.entries(op.responses).map(([status, response]) => (
            <li key={status}>
              <code className="text-xs font-semibold">{status}</code> {response.description}
              {response.content
                ? Object.entries(response.content).map(([type, content]) => (
                    <span key={type} className="ml-2 text-xs text-muted-foreground">
                      {type} → <SchemaLink schema={content.schema} />
                    </span>
                  ))
                : null}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

/** The public API reference, rendered on the server from the same OpenAPI document /api/v1/openapi.json serves. */
export default async function ApiDocsPage() {
  await requireMember();
  const doc = buildOpenApiDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, op]) => (op ? [{ method, path, op }] : [])),
  );
  return (
    <div className="mx-auto max-w-5xl space-y-8 p-8">
      <PageHeader
        title="API reference"
        description={
          <>
            {doc.info.title} {doc.info.version}. Machine-readable: <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Keys:{" "}
            <Link className="underline" href="/settings/api-keys">Settings → API keys</Link>.
          </>
        }
      />
      <section className="space-y-3">
        <Prose text={doc.info.description} />
        <pre className="overflow-x-auto rounded-lg bg-zinc-950 p-4 text-xs text-zinc-100">
          {`curl -X POST "$WEFT_URL/api/v1/workflows/<workflow id>/runs" \\
  -H "Authorization: Bearer $WEFT_API_KEY" -H "Content-Type: application/json" \\
  -d '{"inputs": {"question": "Hello"}, "mode": "sync"}'`}
        </pre>
      </section>
      <section className="space-y-4">
        <h2 className="text-lg font-semibold">Operations</h2>
        {operations.map(({ method, path, op }) => (
          <Operation key={`${method} ${path}`} method={method} path={path} op={op} />
        ))}
      </section>
      <section className="space-y-4">
        <h2 className="text-lg font-semibold">Schemas</h2>
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <div key={name} id={`schema-${name}`} className="space-y-1">
            <h3 className="font-mono text-sm font-semibold">{name}</h3>
            {typeof schema.description === "string" ? <p className="text-sm text-muted-foreground">{schema.description}</p> : null}
            <pre className="max-h-96 overflow-auto rounded-lg border bg-zinc-50 p-3 text-xs">{JSON.stringify(schema, null, 2)}</pre>
          </div>
        ))}
      </section>
    </div>
  );
}

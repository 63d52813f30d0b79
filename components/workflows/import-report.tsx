import type { ImportedWorkflow } from "@/lib/api/schemas";

type Mappings = ImportedWorkflow["knowledgeBases"];

const NOUNS = { knowledgeBases: ["knowledge base", "knowledge bases"], providers: ["rerank model provider", "rerank model providers"] } as const;

const statusText = (noun: string) => ({ kept: `the same ${noun}`, mapped: `this workspace's ${noun} of that name`, missing: "not found: pick one in the node" }) as const;

/** One kind of reference: how many, how many are missing, and each one's fate. */
function MappingList({ kind, mappings }: { kind: keyof typeof NOUNS; mappings: Mappings }) {
  const [one, many] = NOUNS[kind];
  const missing = mappings.filter((m) => m.status === "missing").length;
  const text = statusText(one);
  return (
    <>
      <p>
        The workflow uses {mappings.length} {mappings.length === 1 ? one : many}
        {missing > 0 ? `; ${missing} could not be found here, and the nodes that use them show a problem until you pick one.` : ", all found here."}
      </p>
      <ul className="space-y-1 text-xs">
        {mappings.map((m) => (
          <li key={m.sourceId} data-testid={kind === "knowledgeBases" ? "import-knowledge-base" : "import-provider"} data-status={m.status} className={m.status === "missing" ? "text-destructive" : undefined}>
            <span className="font-medium">{m.name}</span> ({m.nodeIds.join(", ")}): {text[m.status]}
            {m.reason ? ` (${m.reason})` : ""}
          </li>
        ))}
      </ul>
    </>
  );
}

/** What an import did with the knowledge bases and rerank providers the file's nodes use (lib/workflows/knowledge-refs.ts, provider-refs.ts). */
export function ImportReport({ knowledgeBases, providers = [] }: { knowledgeBases: Mappings; providers?: ImportedWorkflow["providers"] }) {
  return (
    <div className="space-y-2 text-sm" data-testid="import-report">
      <p>Imported.</p>
      {knowledgeBases.length > 0 ? <MappingList kind="knowledgeBases" mappings={knowledgeBases} /> : null}
      {providers.length > 0 ? <MappingList kind="providers" mappings={providers} /> : null}
    </div>
  );
}

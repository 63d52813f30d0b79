/**
 * `{{ secrets.NAME }}` references in header (and tool) templates. Isomorphic: the editor and the
 * validator strip them (they are not node outputs), the worker resolves them through the run's
 * SecretPort. The secret's value is spliced in after the rest is rendered, so a value that happens
 * to contain `{{` is never parsed as a template.
 */
const SECRET_REF_SOURCE = String.raw`\{\{-?\s*secrets\.([A-Za-z_][A-Za-z0-9_]{0,63})\s*-?\}\}`;

const secretRefPattern = () => new RegExp(SECRET_REF_SOURCE, "g");

/** Names referenced as `{{ secrets.NAME }}` in a template, in order, without repeats. */
export function secretRefNames(template: string): string[] {
  return [...new Set([...template.matchAll(secretRefPattern())].map((m) => m[1]!))];
}

/** The template without its secret references (what the validator checks as a normal template). */
export function stripSecretRefs(template: string): string {
  return template.replace(secretRefPattern(), "");
}

/**
 * Renders a template whose `{{ secrets.NAME }}` parts are replaced by secret values: the text
 * between references goes through `render`, each reference through `resolve`.
 */
export async function renderWithSecrets(
  template: string,
  render: (template: string) => Promise<string>,
  resolve: (name: string) => Promise<string>,
): Promise<string> {
  let out = "";
  let last = 0;
  for (const match of template.matchAll(secretRefPattern())) {
    const chunk = template.slice(last, match.index);
    if (chunk) out += await render(chunk);
    out += await resolve(match[1]!);
    last = match.index + match[0].length;
  }
  const rest = template.slice(last);
  if (rest) out += await render(rest);
  return out;
}

/**
 * Every secret a stored configuration names, the one parser for "where is this secret used":
 * `{{ secrets.NAME }}` in any string (HTTP node and tool headers, MCP header values) and
 * `{ secret: "NAME" }` objects (tool auth, OpenAPI source auth, MCP env/headers), at any depth.
 */
export function secretNamesIn(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === "string") {
      for (const name of secretRefNames(v)) names.add(name);
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach((item) => walk(item, depth + 1));
    for (const [key, item] of Object.entries(v)) {
      if (key === "secret" && typeof item === "string" && item) names.add(item);
      else walk(item, depth + 1);
    }
  };
  walk(value, 0);
  return [...names];
}

interface GraphLike {
  nodes: readonly { id: string; type: string; data?: unknown }[];
}

/** The nodes of a graph that name secrets, with the names each one uses. */
export function graphSecretRefs(graph: GraphLike): { nodeId: string; nodeType: string; names: string[] }[] {
  return graph.nodes.flatMap((node) => {
    const names = secretNamesIn(node.data);
    return names.length > 0 ? [{ nodeId: node.id, nodeType: node.type, names }] : [];
  });
}

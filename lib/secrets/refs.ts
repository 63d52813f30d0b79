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

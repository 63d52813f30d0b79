import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import TurndownService from "turndown";

/** HTML → Markdown: the turndown options used for HTML pages and DOCX (via mammoth's HTML). */
export function htmlToMarkdown(html: string): string {
  const turndown = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  // Images carry no text we can index; links keep their text.
  turndown.remove(["script", "style", "img" as keyof HTMLElementTagNameMap]);
  return turndown.turndown(html);
}

/**
 * A web page's main content (Readability drops navigation, footers, ads), as Markdown so headings
 * survive for the Markdown-aware splitter. A page Readability finds no article in is taken whole.
 */
export function htmlPageToMarkdown(html: string): { title: string | null; markdown: string } {
  const { document } = parseHTML(html);
  const article = new Readability(document as unknown as Document).parse();
  if (article?.content && article.textContent?.trim()) {
    const heading = article.title ? `# ${article.title}\n\n` : "";
    return { title: article.title ?? null, markdown: heading + htmlToMarkdown(article.content) };
  }
  const body = parseHTML(html).document.body;
  return { title: null, markdown: htmlToMarkdown(body?.innerHTML ?? html) };
}

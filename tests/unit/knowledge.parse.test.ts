import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { detectFormat, parseDocument } from "@/lib/knowledge/parse";
import { makeDocx, makePdf } from "../fixtures/knowledge-files";

const utf8 = (text: string) => Buffer.from(text, "utf8");

describe("parseDocument", () => {
  it("reads PDF text page by page", async () => {
    const parsed = await parseDocument(makePdf([["Warranty terms", "Two years (parts) and labour."], ["Returns", "Within 30 days."]]), "pdf");
    expect(parsed.parts.map((p) => p.page)).toEqual([1, 2]);
    expect(parsed.parts[0]!.text).toContain("Two years (parts) and labour.");
    expect(parsed.parts[1]!.text).toContain("Within 30 days.");
  });

  it("reads DOCX headings as Markdown headings", async () => {
    const parsed = await parseDocument(await makeDocx([{ heading: true, text: "Travel policy" }, { text: "Book trains for trips under 4 hours & save." }]), "docx");
    expect(parsed.kind).toBe("markdown");
    expect(parsed.parts[0]!.text).toMatch(/^# Travel policy\n\nBook trains for trips under 4 hours & save\.$/);
  });

  it("keeps an HTML page's article and drops navigation", async () => {
    const html = `<html><head><title>Onboarding</title></head><body><nav><a href="/">Home</a> <a href="/x">Jobs</a></nav>
      <article><h1>Onboarding</h1><h2>First day</h2><p>${"Collect your laptop from IT on the second floor before 9:30. ".repeat(8)}</p>
      <h2>First week</h2><p>${"Meet your buddy and finish the security training in the learning portal. ".repeat(8)}</p></article>
      <footer>© Example Corp</footer></body></html>`;
    const text = (await parseDocument(utf8(html), "html")).parts[0]!.text;
    expect(text).toContain("## First day");
    expect(text).toContain("Collect your laptop");
    expect(text).not.toContain("Jobs");
  });

  it("turns CSV rows into labelled records", async () => {
    const parsed = await parseDocument(utf8('product,price,notes\nWidget,9.99,"Blue, small"\nGadget,19.50,\n'), "csv");
    expect(parsed.parts[0]!.text).toBe("product: Widget\nprice: 9.99\nnotes: Blue, small\n\nproduct: Gadget\nprice: 19.50");
  });

  it("refuses empty, binary, corrupt, encrypted-looking and bomb documents with their own codes", async () => {
    await expect(parseDocument(Buffer.alloc(0), "text")).rejects.toMatchObject({ code: "empty" });
    await expect(parseDocument(utf8("   \n\n "), "markdown")).rejects.toMatchObject({ code: "empty" });
    await expect(parseDocument(Buffer.from([0x48, 0x00, 0x49]), "text")).rejects.toMatchObject({ code: "corrupt" });
    await expect(parseDocument(Buffer.from([0xff, 0xfe, 0xfd]), "text")).rejects.toMatchObject({ code: "corrupt" });
    await expect(parseDocument(utf8("%PDF-1.4 this is not really a pdf"), "pdf")).rejects.toMatchObject({ code: "corrupt" });
    await expect(parseDocument(utf8("PK not a zip"), "docx")).rejects.toMatchObject({ code: "corrupt" });
    const bomb = new JSZip();
    bomb.file("word/document.xml", Buffer.alloc(210 * 1024 * 1024, 0x20));
    const bytes = await bomb.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
    expect(bytes.length).toBeLessThan(1024 * 1024);
    await expect(parseDocument(bytes, "docx")).rejects.toMatchObject({ code: "too_large" });
    await expect(parseDocument(makePdf([[]]), "pdf")).rejects.toMatchObject({ code: "empty", message: expect.stringContaining("OCR") });
  }, 60_000); // the zip bomb inflates 210 MB: slow on a busy machine, not a speed check
});

describe("detectFormat", () => {
  it("uses the MIME type, else the extension, and refuses the rest", () => {
    expect(detectFormat("a.pdf", "application/pdf")).toBe("pdf");
    expect(detectFormat("notes.md", "text/plain")).toBe("markdown");
    expect(detectFormat("notes.md", "application/octet-stream")).toBe("markdown");
    expect(detectFormat("data.CSV")).toBe("csv");
    expect(() => detectFormat("photo.png", "image/png")).toThrow(/not a supported document type/);
  });
});

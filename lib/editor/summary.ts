import { OPERATOR_LABELS, UNARY_OPERATORS, type ConditionOperator } from "@/lib/nodes/condition/definition";

/**
 * A few short lines describing a node's config on the canvas. Reads the config defensively:
 * drafts can hold anything, and a summary must never throw while rendering.
 */

const MAX = 48;

function short(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "";
  const trimmed = line.trim();
  return trimmed.length > MAX ? `${trimmed.slice(0, MAX - 1)}…` : trimmed;
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function ruleText(rule: Record<string, unknown>): string {
  const operator = str(rule.operator) as ConditionOperator;
  const label = OPERATOR_LABELS[operator] ?? operator;
  const left = str(rule.left) || "?";
  return UNARY_OPERATORS.has(operator) ? `${left} ${label}` : `${left} ${label} ${str(rule.right) || "…"}`;
}

export function nodeSummary(kind: string, config: Record<string, unknown>): string[] {
  switch (kind) {
    case "start": {
      const names = list(config.inputs).map((i) => str(record(i).name)).filter(Boolean);
      return [names.length ? `Inputs: ${short(names.join(", "))}` : "No inputs"];
    }
    case "llm": {
      const model = str(config.model);
      const prompt = short(str(config.userPrompt));
      return [model ? `Model: ${model}` : "No model chosen", prompt || "Empty prompt"];
    }
    case "condition": {
      const cases = list(config.cases).map(record);
      const lines = cases.map((c, index) => {
        const rules = list(c.rules).map(record);
        const joiner = str(c.logic) === "or" ? " or " : " and ";
        const text = rules.length ? rules.map(ruleText).join(joiner) : "no rule";
        return `${index === 0 ? "IF" : `ELIF ${index}`}: ${short(text)}`;
      });
      return [...lines, "ELSE"];
    }
    case "template": {
      const text = short(str(config.template));
      return [text || "Empty template", ...(str(config.format) === "json" ? ["Format: JSON"] : [])];
    }
    case "end": {
      const names = list(config.outputs).map((o) => str(record(o).name)).filter(Boolean);
      return [names.length ? `Outputs: ${short(names.join(", "))}` : "No outputs"];
    }
    case "http":
      return [`${str(config.method) || "GET"} ${short(str(config.url)) || "no URL"}`];
    case "code": {
      const names = list(config.outputs).map((o) => str(record(o).name)).filter(Boolean);
      return [names.length ? `Returns: ${short(names.join(", "))}` : "No outputs declared"];
    }
    case "aggregate": {
      const paths = list(config.variables).map(str).filter(Boolean);
      return [paths.length ? `First of: ${short(paths.join(", "))}` : "No variables"];
    }
    case "approval":
    case "question": {
      const text = short(str(config.title)) || short(str(kind === "approval" ? config.message : config.prompt));
      const timeout = record(config.timeout);
      const fields = kind === "question" ? [`Asks: ${short(list(config.fields).map((f) => str(record(f).name)).filter(Boolean).join(", ")) || "nothing"}`] : [];
      return [text || (kind === "approval" ? "No title" : "No question"), ...fields, ...(typeof timeout.amount === "number" ? [`Times out after ${timeout.amount} ${str(timeout.unit)}`] : [])];
    }
    case "classifier":
    case "extractor": {
      const model = str(config.model);
      const items = list(kind === "classifier" ? config.classes : config.fields).map((c) => str(record(c).name)).filter(Boolean);
      const what = kind === "classifier" ? "Classes" : "Fields";
      return [model ? `Model: ${model}` : "No model chosen", items.length ? `${what}: ${short(items.join(", "))}` : `No ${what.toLowerCase()}`];
    }
    case "agent": {
      const model = str(config.model);
      const tools = list(config.tools).length;
      const bases = list(config.knowledgeBases).length;
      const knowledge = bases ? ` · ${bases} knowledge base${bases === 1 ? "" : "s"}` : "";
      return [model ? `Model: ${model}` : "No model chosen", `${tools} tool${tools === 1 ? "" : "s"}${knowledge} · max ${typeof config.maxIterations === "number" ? config.maxIterations : 5} iterations`];
    }
    case "knowledge": {
      const bases = list(config.knowledgeBaseIds).length;
      const query = short(str(config.query));
      return [
        bases ? `Searches ${bases} knowledge base${bases === 1 ? "" : "s"} · ${str(config.mode) || "hybrid"}, top ${typeof config.topK === "number" ? config.topK : 5}` : "No knowledge base chosen",
        query ? `Query: ${query}` : "No query",
      ];
    }
    case "tool":
      return [str(config.toolName) ? `Calls ${short(str(config.toolName))}` : "No tool chosen"];
    case "note":
      // Notes show their text (a few lines), not a summary.
      return str(config.text).split("\n").filter((l) => l.trim()).slice(0, 4).map(short);
    default:
      return [];
  }
}

import { RE2JS, RE2JSException } from "re2js";
import { LIMITS } from "./limits";

/**
 * Regular expressions written by users (JSONata `/…/` literals) run on RE2 (re2js, pure
 * JavaScript), never on V8's backtracking engine: RE2 matches in time linear in the text, so
 * `(a+)+$`, `(a|a)+$` or `((ab)*)+$` cannot take exponential time. Linear is not free (a pattern
 * of program size p costs up to p steps per character when it has to track groups), and a match
 * cannot be interrupted once started, so each search is refused up front when p × the text left to
 * search exceeds LIMITS.expressionRegexWork, and the caller's deadline is checked before each one.
 * RE2 has no backreferences and no lookaround; patterns using them are refused with a message
 * that says so, rather than silently meaning something else.
 */

/** The RE2 features JavaScript has and RE2 lacks, named for the user; undefined when none is used. */
export function unsupportedRegexFeature(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || (next === "k" && source[i + 2] === "<"))) return "backreferences (\\1, \\k<name>)";
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(" && source[i + 1] === "?") {
      const after = source.slice(i + 2, i + 4);
      if (after[0] === "=" || after[0] === "!") return "lookahead ((?=…), (?!…))";
      if (after === "<=" || after === "<!") return "lookbehind ((?<=…), (?<!…))";
    }
  }
  return undefined;
}

/** A pattern Weft will not run; the message is a clause ("the regular expression /…/ cannot be used: …"). */
export class RegexRefused extends Error {
  constructor(source: string, why: string) {
    super(`the regular expression /${source.slice(0, 100)}/ cannot be used: ${why}`);
    this.name = "RegexRefused";
  }
}

const refused = (source: string, why: string) => new RegexRefused(source, why);

// Compiled patterns are immutable (each search gets its own matcher): share them across evaluations.
const CACHE_SIZE = 500;
const compiled = new Map<string, RE2JS>();

/** Compiles a JavaScript-syntax pattern for RE2, or throws RegexRefused saying why not. */
export function compileUserRegex(source: string, flags = ""): RE2JS {
  const key = `${flags}/${source}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  if (source.length > LIMITS.expressionRegexChars) throw refused(source, `it is ${source.length} characters long; the limit is ${LIMITS.expressionRegexChars}`);
  const feature = unsupportedRegexFeature(source);
  if (feature) throw refused(source, `Weft runs regular expressions on RE2, which has no ${feature}`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), (flags.includes("i") ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes("m") ? RE2JS.MULTILINE : 0));
  } catch (error) {
    if (error instanceof RE2JSException) throw refused(source, error.message.replace(/^error parsing regexp: /, ""));
    throw error;
  }
  if (compiled.size >= CACHE_SIZE) compiled.clear();
  compiled.set(key, re);
  return re;
}

/**
 * The subset of RegExp that JSONata's runtime uses (`lastIndex`, `exec`, `source`), on RE2.
 * `beforeSearch` runs before every search (the expression's deadline and cancellation).
 */
export type SafeRegexConstructor = new (pattern: string | RegExp, flags?: string) => SafeRegex;

export interface SafeRegex {
  lastIndex: number;
  readonly source: string;
  readonly flags: string;
  exec(input: string): RegExpExecArray | null;
  test(input: string): boolean;
}

export function safeRegexEngine(beforeSearch: () => void = () => undefined): SafeRegexConstructor {
  return class implements SafeRegex {
    lastIndex = 0;
    readonly source: string;
    readonly flags: string;
    private readonly re: RE2JS;

    constructor(pattern: string | RegExp, flags?: string) {
      this.source = typeof pattern === "string" ? pattern : pattern.source;
      this.flags = flags ?? (typeof pattern === "string" ? "" : pattern.flags);
      this.re = compileUserRegex(this.source, this.flags);
    }

    exec(input: string): RegExpExecArray | null {
      beforeSearch();
      const sticky = this.flags.includes("g");
      const from = sticky ? this.lastIndex : 0;
      if (from > input.length) return this.miss();
      const work = this.re.programSize() * (input.length - from);
      if (work > LIMITS.expressionRegexWork) {
        throw refused(this.source, `searching ${input.length - from} characters with it would take too long (simplify the pattern or shorten the text)`);
      }
      const matcher = this.re.matcher(input);
      if (!matcher.find(from)) return this.miss();
      const groups: (string | undefined)[] = [];
      for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
      if (sticky) this.lastIndex = matcher.end();
      return Object.assign(groups, { index: matcher.start(), input }) as unknown as RegExpExecArray;
    }

    test(input: string): boolean {
      return this.exec(input) !== null;
    }

    private miss(): null {
      this.lastIndex = 0;
      return null;
    }
  };
}

import { z } from "zod";

/**
 * Where a secret may be sent (isomorphic: the Secrets page validates with the same schema).
 * Entries: `api.example.com` (that host, any port), `api.example.com:8443` (that port only),
 * `*.example.com` (every subdomain, not example.com itself), IP literals (`10.0.0.5`,
 * `[fd00::1]:8080`), or `*` (any host: an explicit, visible choice of the secret's creator).
 * An empty list is a secret stored before host restrictions existed: it is sent nowhere until
 * someone sets its hosts (see docs/tools.md).
 */

export const ANY_HOST = "*";
export const SECRET_HOST_LIMITS = { maxHosts: 50, maxChars: 260 } as const;

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const NAME = `${LABEL}(?:\\.${LABEL})*`;
const IPV6 = "\\[[0-9a-f:.]+\\]";
const PORT = "(?::(?<port>\\d{1,5}))?";
const HOST_PATTERN = new RegExp(`^(?<wild>\\*\\.)?(?<host>${NAME}|${IPV6})${PORT}$`);

interface ParsedHost {
  wildcard: boolean;
  host: string;
  port?: string;
}

function parseHostPattern(entry: string): ParsedHost | null {
  const match = HOST_PATTERN.exec(entry.replace(/\.$/, ""));
  if (!match?.groups) return null;
  const { wild, host, port } = match.groups;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return null;
  if (wild && host!.startsWith("[")) return null;
  return { wildcard: Boolean(wild), host: host!, ...(port ? { port } : {}) };
}

/** Why an entry is not a host pattern, in words a person can act on; null when it is one. */
export function hostPatternProblem(entry: string): string | null {
  if (entry === ANY_HOST) return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(entry)) return `"${entry}" is a URL: enter only its host, e.g. api.example.com`;
  if (/[/?#@]/.test(entry)) return `"${entry}" has a path or credentials: enter only a host, e.g. api.example.com`;
  if (entry.includes("*") && !entry.startsWith("*.")) return `"${entry}": a wildcard must be a whole leading label, e.g. *.example.com`;
  return parseHostPattern(entry) ? null : `"${entry}" is not a host, host:port or *.domain`;
}

export const AllowedHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(SECRET_HOST_LIMITS.maxChars, `A host is at most ${SECRET_HOST_LIMITS.maxChars} characters`)
  .superRefine((entry, ctx) => {
    const problem = hostPatternProblem(entry);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** What a new or edited secret must carry: at least one host (secure default: never "anywhere" by omission). */
export const AllowedHostsSchema = z
  .array(AllowedHostSchema)
  .min(1, "Name at least one host the secret may be sent to (e.g. api.example.com), or * for any host")
  .max(SECRET_HOST_LIMITS.maxHosts, `At most ${SECRET_HOST_LIMITS.maxHosts} hosts`)
  .transform((hosts) => [...new Set(hosts)]);

const defaultPort = (url: URL) => url.port || (url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "");

/** Whether `url`'s host (and port) matches one of `patterns`. An empty list matches nothing. */
export function hostAllowed(patterns: readonly string[], url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const port = defaultPort(url);
  return patterns.some((entry) => {
    if (entry === ANY_HOST) return true;
    const pattern = parseHostPattern(entry.toLowerCase());
    if (!pattern) return false;
    if (pattern.port !== undefined && pattern.port !== port) return false;
    return pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
  });
}

/** The host as shown in refusals: `host:port` when the port is explicit. */
export function describeHost(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

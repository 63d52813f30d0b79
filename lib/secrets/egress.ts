import { NodeError } from "@/lib/engine/errors";
import type { HttpRequest, HttpResponse, OutboundHop, SecretPort } from "@/lib/engine/ports";
import { describeHost, hostAllowed } from "./hosts";
import { secretMatcher } from "./redact";

/**
 * The secret-host check of every outbound request a run makes (HTTP node, HTTP/OpenAPI tools,
 * MCP over HTTP). It runs on each hop once the final URL is known (after templates, query
 * parameters and tool auth; again on every redirect) and looks at what is really about to leave:
 * the URL, header names and values, and the body, in every encoded form `secretMatcher` knows.
 * So a secret reaches a host only when that host is on the secret's list, however it got into
 * the request (a header template, tool auth in the query, an echoed value re-used downstream).
 */

export interface SecretGrant {
  name: string;
  value: string;
  /** The secret's allowed hosts; empty = stored before host restrictions, sent nowhere. */
  allowedHosts: readonly string[];
}

/** The parts of a hop that leave the machine, as one list of texts to search. */
function hopTexts(hop: OutboundHop): string[] {
  return [hop.url.href, ...Object.entries(hop.headers).flat(), ...(hop.body === undefined ? [] : [typeof hop.body === "string" ? hop.body : Buffer.from(hop.body).toString("utf8")])];
}

/** The grants whose value (in any encoded form) is somewhere in the hop. */
export function secretsInHop(hop: OutboundHop, grants: readonly SecretGrant[]): SecretGrant[] {
  const texts = hopTexts(hop);
  return grants.filter((grant) => {
    const matcher = secretMatcher([grant.value]);
    return texts.some((text) => matcher.matches(text));
  });
}

export function refusal(grant: SecretGrant, url: URL): NodeError {
  const host = describeHost(url);
  if (grant.allowedHosts.length === 0) {
    return new NodeError(
      "secret_denied",
      `The secret ${grant.name} was not sent to ${host}: it has no allowed hosts yet (it was stored before host restrictions). A developer must set its allowed hosts in Settings → Secrets. Nothing was sent.`,
    );
  }
  return new NodeError(
    "secret_denied",
    `The secret ${grant.name} may not be sent to ${host} (allowed hosts: ${grant.allowedHosts.join(", ")}). Nothing was sent.`,
  );
}

/** Throws NodeError("secret_denied") naming the first secret the hop would carry to a host outside its list. */
export function assertSecretEgress(hop: OutboundHop, grants: readonly SecretGrant[]): void {
  for (const grant of secretsInHop(hop, grants)) {
    if (!hostAllowed(grant.allowedHosts, hop.url)) throw refusal(grant, hop.url);
  }
}

type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

/** An HTTP port whose every hop is first checked against the secrets `port` handed out. */
export function withSecretEgress(http: HttpSend, port: Pick<SecretPort, "checkEgress">): HttpSend {
  return (request) =>
    http({
      ...request,
      beforeSend: async (hop) => {
        await request.beforeSend?.(hop);
        port.checkEgress(hop);
      },
    });
}

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch that fails on any redirect when `secretBearing` (the MCP transport's headers carry secrets). */
export function refuseRedirectsWhen<F extends FetchFn>(secretBearing: boolean, fetchImpl: F): F {
  if (!secretBearing) return fetchImpl;
  return ((input: string | URL | Request, init?: RequestInit) => fetchImpl(input, { ...init, redirect: "error" })) as F;
}

/**
 * The last line of defence against input PostgreSQL refuses: NUL or invalid UTF-8 in text, a JSON
 * string it cannot store, a number out of a column's range. Routes validate these first (RouteIdSchema,
 * parseJson's walk, bounded zod integers); anything that still reaches the database is the caller's
 * bad input, so it becomes a 400 with this message rather than a 500.
 */
const INPUT_PROBLEMS: { test: RegExp; message: string }[] = [
  // Prisma's own query encoder refuses a lone surrogate with "unexpected end of hex escape".
  { test: /invalid byte sequence|0x00|\\u0000 cannot be converted|unsupported Unicode escape sequence|22021|22P05|end of hex escape|surrogate/i, message: "The request contains text that cannot be stored (a NUL character or invalid Unicode)." },
  { test: /out of range|does not fit into a 64 bit signed integer|22003|P2020|P2033/i, message: "The request contains a number outside the range that can be stored." },
];

/** The 400 message for a database error caused by the request's content, or null for any other error. */
export function databaseInputProblem(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  // Only Prisma's own errors: a message mentioning "out of range" elsewhere is no evidence about input.
  if (!/^PrismaClient|^DriverAdapterError/.test(error.name) && !/^PrismaClient/.test(error.constructor?.name ?? "")) return null;
  // Prisma's message quotes the calling source code; only its last line states the reason.
  const reason = error.message.trim().split("\n").at(-1) ?? "";
  const text = `${(error as { code?: unknown }).code ?? ""} ${reason} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}`;
  return INPUT_PROBLEMS.find((problem) => problem.test.test(text))?.message ?? null;
}

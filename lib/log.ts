import pino from "pino";
import { env } from "@/lib/env";

/** One logger for web and worker. Secrets never reach it: callers log ids and codes, not payloads. */
export const logger = pino({
  level: env().LOG_LEVEL,
  redact: { paths: ["*.apiKey", "*.password", "*.authorization", "*.headers.authorization"], censor: "[redacted]" },
});

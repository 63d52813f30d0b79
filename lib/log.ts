import pino from "pino";
import { logLevel } from "@/lib/env";

/** One logger for web and worker. Secrets never reach it: callers log ids and codes, not payloads. */
export const logger = pino({
  level: logLevel(),
  redact: { paths: ["*.apiKey", "*.password", "*.authorization", "*.headers.authorization"], censor: "[redacted]" },
});

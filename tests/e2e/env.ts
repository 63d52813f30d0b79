/** Environment of the e2e stack: its own database and Redis prefix, the web app on port 3100. */
export const E2E_PORT = 3100;
export const E2E_MODEL_PORT = 4110;
export const e2eEnv = {
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_e2e",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: "weft-e2e",
  WEFT_SECRET_KEYS: "e2e1:ZTJlLXNlY3JldC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA=",
  BETTER_AUTH_SECRET: "e2e-auth-secret-0123456789abcdef",
  BETTER_AUTH_URL: `http://127.0.0.1:${E2E_PORT}`,
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  // The specs sign up fresh users through the UI.
  WEFT_SIGNUP: "open",
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
};

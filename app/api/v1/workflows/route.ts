import { withApiKey } from "@/lib/api/route";
import { listPublishedWorkflows } from "@/lib/api/workflows";

export const dynamic = "force-dynamic";

/** GET /api/v1/workflows: published workflows with their latest version and Start inputs. */
export const GET = withApiKey("workflow.read", async (_request, caller) => Response.json({ workflows: await listPublishedWorkflows(caller) }));

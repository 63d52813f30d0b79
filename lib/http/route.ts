import { serviceErrorResponse } from "@/lib/services/respond";

/** Runs a route handler's work, turning ServiceErrors into their HTTP responses (and the rest into 500). */
export async function handle(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return serviceErrorResponse(error);
  }
}

import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { NoteConfig } from "./definition";

/** Never called: the engine drops non-executable nodes before scheduling. Kept so the registry stays total. */
export const executeNote: NodeExecutor<NoteConfig> = async () => ({ output: {} });

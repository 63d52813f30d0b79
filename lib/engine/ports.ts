import type { TokenUsage } from "./usage";

/** Ports through which node executors reach the outside world; the worker provides real ones. */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  providerId: string;
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** When set, the model is asked for a JSON object (response_format json_object). */
  json?: boolean;
  signal: AbortSignal;
  onToken?: (text: string) => void;
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** The model name the provider reports having used. */
  model: string;
  finishReason?: string;
}

export interface EngineServices {
  chat: (request: ChatRequest) => Promise<ChatResponse>;
}

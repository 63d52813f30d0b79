export { prepareOpenApi, prepareParsed, parseDocument, type PreparedDocument } from "./document";
export { toJsonSchema } from "./json-schema";
export { toolNameFor, uniqueToolName } from "./names";
export type { OperationSummary, PreparedOperation, SkippedOperation } from "./operation";
export { readOpenApiRequest } from "./request";
export {
  OpenApiImportSchema,
  OpenApiPreviewSchema,
  deleteToolSource,
  importOpenApi,
  previewOpenApi,
  UpdateOpenApiSourceSchema,
  updateOpenApiSource,
  type ImportResult,
  type OpenApiImportInput,
  type OpenApiPreview,
} from "./service";

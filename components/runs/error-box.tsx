import type { StoredError } from "@/lib/runs/queries";

/** A run or step error: the stable code and the message written for the user. */
export function ErrorBox({ error }: { error: StoredError }) {
  return (
    <div role="alert" className="space-y-1 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      <p>
        <code className="rounded bg-red-100 px-1.5 py-0.5 font-mono text-xs" data-testid="error-code">
          {error.code}
        </code>
        {error.nodeId ? <span className="ml-2 text-xs text-red-700">at node {error.nodeId}</span> : null}
      </p>
      <p data-testid="error-message">{error.message}</p>
    </div>
  );
}

"use client";

import { useEffect, useRef } from "react";
import { useUpdateNodeInternals } from "@xyflow/react";

/**
 * Re-measures a node's handles when its set of handles changes (a branch added or removed),
 * never on mount: React Flow measures a new node itself, and a call per node on mount updates
 * the shared store once per node, re-rendering every node each time (quadratic on a large graph).
 */
export function useHandleChangeInternals(nodeId: string, handleKey: string): void {
  const updateNodeInternals = useUpdateNodeInternals();
  const measuredKey = useRef(handleKey);
  useEffect(() => {
    if (measuredKey.current === handleKey) return;
    measuredKey.current = handleKey;
    updateNodeInternals(nodeId);
  }, [handleKey, nodeId, updateNodeInternals]);
}

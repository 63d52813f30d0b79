"use client";

import { useCallback, useEffect, useMemo, useState, type DragEvent } from "react";
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStoreApi,
  type Connection,
  type Edge,
  type NodeTypes,
  type OnConnectEnd,
} from "@xyflow/react";
import { LayoutGrid, Loader2 } from "lucide-react";
import { useShallow } from "zustand/react/shallow";
import { checkConnection } from "@/lib/editor/connect";
import { containerAt, toConnectGraph } from "@/lib/editor/doc";
import { layoutPositions } from "@/lib/editor/layout";
import { openingViewport } from "@/lib/editor/opening-view";
import type { WeftNode } from "@/lib/editor/flow";
import { WEFT_NODE } from "@/lib/editor/flow";
import { nodeRegistry } from "@/lib/nodes/registry";
import { Button } from "@/components/ui/button";
import { EditorTools, useEditorTools } from "./editor-tools";
import { useEditor, useEditorStore } from "./store-context";
import { WeftNodeComponent } from "./weft-node";

/** Module scope: React Flow re-mounts every node when this object changes identity. */
const nodeTypes: NodeTypes = { [WEFT_NODE]: WeftNodeComponent };

/** The drag-and-drop MIME type the palette sets; its value is the node type. */
export const PALETTE_MIME = "application/x-weft-node";

const DELETE_KEYS = ["Backspace", "Delete"];
const PRO_OPTIONS = { hideAttribution: true };
const miniMapColor = (node: WeftNode) => nodeRegistry[node.data.kind]?.color ?? "#a1a1aa";
/** Above this many nodes only the ones in view are rendered (panning a large graph stays smooth). */
const RENDER_VISIBLE_ONLY_FROM = 150;

export function Canvas() {
  const store = useEditorStore();
  const { nodes, edges, onNodesChange, onEdgesChange, connect, addNode, nodeDragged, notice, setNotice } = useEditor(
    useShallow((s) => ({
      nodeDragged: s.nodeDragged,
      nodes: s.nodes,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      connect: s.connect,
      addNode: s.addNode,
      notice: s.notice,
      setNotice: s.setNotice,
    })),
  );
  const readOnly = useEditor((s) => s.readOnly);
  const overlayRunning = useEditor((s) => s.overlay !== null && (s.overlay.status === "running" || s.overlay.status === "queued"));
  const { screenToFlowPosition, fitView, setViewport } = useReactFlow();
  const flowStore = useStoreApi();
  // Stable identities: React Flow copies these into its store whenever they change.
  const defaultEdgeOptions = useMemo(() => ({ animated: overlayRunning, style: { strokeWidth: 2 } }), [overlayRunning]);
  const [layingOut, setLayingOut] = useState(false);

  const autoLayout = useCallback(async () => {
    setLayingOut(true);
    try {
      const state = store.getState();
      state.setPositions(await layoutPositions({ nodes: state.nodes, edges: state.edges }, nodeRegistry));
      // Let React Flow apply the new positions before fitting the view to them.
      requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
    } catch {
      store.getState().setNotice("Auto-layout failed.");
    } finally {
      setLayingOut(false);
    }
  }, [store, fitView]);
  // Undo/redo, clipboard, find, context menu and shortcuts (editor-tools.tsx).
  const tools = useEditorTools(() => void autoLayout());
  // Fit a loaded graph once, when every node has been measured (fitting earlier frames only the
  // nodes measured so far); on an empty canvas, fitting would jump the view when the first node lands.
  const [fitOnLoad] = useState(() => store.getState().nodes.length > 0);
  const nodesInitialized = useNodesInitialized();
  const [fitted, setFitted] = useState(false);
  useEffect(() => {
    if (!fitOnLoad || fitted || !nodesInitialized) return;
    setFitted(true);
    // A large graph opens on its Start node's neighbourhood at a readable zoom rather than all of
    // it at once (which would draw every node, each unreadably small).
    const all = store.getState().nodes;
    const { width, height } = flowStore.getState();
    const opening = all.length >= RENDER_VISIBLE_ONLY_FROM ? openingViewport(all, { width, height }) : null;
    if (opening) void setViewport(opening);
    else void fitView({ padding: 0.2, maxZoom: 1 });
  }, [fitOnLoad, fitted, nodesInitialized, fitView, setViewport, flowStore, store]);

  const isValidConnection = useCallback(
    (edge: Edge | Connection) => checkConnection(toConnectGraph(store.getState()), edge, nodeRegistry).ok,
    [store],
  );

  const onConnect = useCallback((connection: Connection) => void connect(connection), [connect]);

  // Tell the user why a drop on a handle was refused (React Flow only says "invalid").
  const onConnectEnd: OnConnectEnd = useCallback(
    (_event, state) => {
      if (state.isValid !== false || !state.fromNode || !state.toNode) return;
      const fromSource = state.fromHandle?.type !== "target";
      const attempt = fromSource
        ? { source: state.fromNode.id, sourceHandle: state.fromHandle?.id ?? null, target: state.toNode.id, targetHandle: state.toHandle?.id ?? null }
        : { source: state.toNode.id, sourceHandle: state.toHandle?.id ?? null, target: state.fromNode.id, targetHandle: state.fromHandle?.id ?? null };
      const check = checkConnection(toConnectGraph(store.getState()), attempt, nodeRegistry);
      if (!check.ok) setNotice(check.reason);
    },
    [store, setNotice],
  );

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 4_000);
    return () => clearTimeout(timer);
  }, [notice, setNotice]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(PALETTE_MIME);
      if (readOnly || !kind || !nodeRegistry[kind]) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Dropped on a loop: the node joins the loop's body (positions inside are relative to it).
      const state = store.getState();
      const parentId = containerAt({ nodes: state.nodes, edges: state.edges }, position, nodeRegistry);
      const parent = parentId ? state.nodes.find((n) => n.id === parentId) : undefined;
      if (parent && nodeRegistry[kind]?.container) {
        setNotice("Loops cannot be nested: put a Sub-workflow inside the loop instead.");
        return;
      }
      // Drop point is the node's top-left corner area; centre the header under the cursor instead.
      const at = { x: position.x - 120, y: position.y - 20 };
      if (parent) addNode(kind, { x: Math.max(10, at.x - parent.position.x), y: Math.max(50, at.y - parent.position.y) }, parent.id);
      else addNode(kind, at);
    },
    [addNode, screenToFlowPosition, readOnly, store, setNotice],
  );

  // Every node of a multi-selection drag may have crossed a loop's border.
  const onNodeDragStop = useCallback(
    (_event: unknown, node: WeftNode, dragged: WeftNode[]) => {
      for (const n of dragged.length > 0 ? dragged : [node]) nodeDragged(n.id);
    },
    [nodeDragged],
  );

  return (
    <div className="relative h-full w-full" data-testid="canvas">
      <ReactFlow<WeftNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onNodeDragStop={onNodeDragStop}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        defaultEdgeOptions={defaultEdgeOptions}
        onlyRenderVisibleElements={nodes.length >= RENDER_VISIBLE_ONLY_FROM}
        minZoom={0.1}
        proOptions={PRO_OPTIONS}
        {...tools.flowProps}
      >
        <EditorTools tools={tools} />
        <Panel position="top-right" className={readOnly ? "hidden" : undefined}>
          <Button variant="outline" size="sm" className="bg-white" onClick={() => void autoLayout()} disabled={layingOut || nodes.length === 0} data-testid="auto-layout">
            {layingOut ? <Loader2 className="animate-spin" aria-hidden /> : <LayoutGrid aria-hidden />}
            Auto layout
          </Button>
        </Panel>
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls position="bottom-left" />
        <MiniMap
          position="bottom-right"
          pannable
          zoomable
          nodeColor={miniMapColor}
        />
      </ReactFlow>
      {nodes.length === 0 ? (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
          <p className="rounded-md border border-dashed bg-white/80 px-4 py-3 text-sm text-muted-foreground">
            {readOnly ? "This workflow is empty." : "Drag a node from the left, or click one to add it. Start with a Start node."}
          </p>
        </div>
      ) : null}
      {notice ? (
        <div role="status" className="absolute left-1/2 top-3 z-10 -translate-x-1/2 rounded-md bg-zinc-900 px-3 py-1.5 text-xs text-white shadow" data-testid="canvas-notice">
          {notice}
        </div>
      ) : null}
    </div>
  );
}

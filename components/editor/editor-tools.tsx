"use client";

import { useCallback, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from "react";
import { Panel, useReactFlow, type ReactFlowProps } from "@xyflow/react";
import { Keyboard, Redo2, Search, Undo2 } from "lucide-react";
import type { WeftEdge, WeftNode } from "@/lib/editor/flow";
import { selectedNodeIds } from "@/lib/editor/selection";
import { keyLabel } from "@/lib/editor/shortcuts";
import { Button } from "@/components/ui/button";
import { CanvasContextMenu, type MenuTarget } from "./context-menu";
import { FindPanel } from "./find-panel";
import { ShortcutsDialog, useIsMac } from "./shortcuts-dialog";
import { useEditor, useEditorStore } from "./store-context";
import { useEditorCommands, type EditorCommands } from "./use-editor-commands";
import { useEditorShortcuts } from "./use-editor-shortcuts";

/**
 * Undo/redo, clipboard, find, the context menu and the shortcuts, for the canvas. The canvas calls
 * useEditorTools, spreads `flowProps` on <ReactFlow> and renders <EditorTools> inside it.
 */

type FlowProps = Pick<
  ReactFlowProps<WeftNode, WeftEdge>,
  "onNodeContextMenu" | "onSelectionContextMenu" | "onEdgeContextMenu" | "onPaneContextMenu" | "onMouseMove" | "onMouseLeave" | "multiSelectionKeyCode"
>;

export interface EditorToolsState {
  commands: EditorCommands;
  flowProps: FlowProps;
  menu: MenuTarget | null;
  closeMenu(): void;
  find: { open: boolean; focusKey: number; show(): void; close(): void };
  help: { open: boolean; setOpen(open: boolean): void };
  autoLayout(): void;
}

/** Shift+click and Mod+click both add to the selection; Shift+drag draws a selection box (React Flow's default). */
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];

export function useEditorTools(autoLayout: () => void): EditorToolsState {
  const store = useEditorStore();
  const commands = useEditorCommands();
  const { screenToFlowPosition } = useReactFlow();
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [findOpen, setFindOpen] = useState(false);
  const [focusKey, setFocusKey] = useState(0);
  const [helpOpen, setHelpOpen] = useState(false);

  const showFind = useCallback(() => {
    setFindOpen(true);
    setFocusKey((k) => k + 1);
  }, []);

  useEditorShortcuts({
    commands,
    openFind: showFind,
    openHelp: () => setHelpOpen(true),
    pointer: () => (pointer.current ? screenToFlowPosition(pointer.current) : undefined),
  });

  const openForNodes = useCallback(
    (event: ReactMouseEvent, ids: string[]) => {
      event.preventDefault();
      setMenu({ kind: "nodes", ids, clientX: event.clientX, clientY: event.clientY });
    },
    [],
  );

  const flowProps = useMemo<FlowProps>(
    () => ({
      multiSelectionKeyCode: MULTI_SELECT_KEYS,
      // A right-click on a node outside the selection acts on that node alone, and selects it.
      onNodeContextMenu: (event, node) => {
        const selected = selectedNodeIds(store.getState());
        if (!selected.includes(node.id)) store.getState().selectNode(node.id);
        openForNodes(event, selected.includes(node.id) ? selected : [node.id]);
      },
      onSelectionContextMenu: (event, nodes) => openForNodes(event, nodes.map((n) => n.id)),
      onEdgeContextMenu: (event, edge) => {
        event.preventDefault();
        setMenu({ kind: "edge", id: edge.id, clientX: event.clientX, clientY: event.clientY });
      },
      onPaneContextMenu: (event) => {
        event.preventDefault();
        const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
        setMenu({ kind: "pane", at, clientX: event.clientX, clientY: event.clientY });
      },
      onMouseMove: (event) => {
        pointer.current = { x: event.clientX, y: event.clientY };
      },
      onMouseLeave: () => {
        pointer.current = null;
      },
    }),
    [store, openForNodes, screenToFlowPosition],
  );

  return {
    commands,
    flowProps,
    menu,
    closeMenu: () => setMenu(null),
    find: { open: findOpen, focusKey, show: showFind, close: () => setFindOpen(false) },
    help: { open: helpOpen, setOpen: setHelpOpen },
    autoLayout,
  };
}

/** The toolbar (undo, redo, find, shortcuts), the find panel, the context menu and the shortcuts dialog. */
export function EditorTools({ tools }: { tools: EditorToolsState }) {
  const store = useEditorStore();
  const readOnly = useEditor((s) => s.readOnly);
  const mac = useIsMac();
  const { commands, find, help } = tools;
  return (
    <>
      <Panel position="top-left" className="flex flex-col items-start gap-2">
        <div className="flex gap-1 rounded-md border bg-white p-1 shadow-sm" role="toolbar" aria-label="Edit">
          {readOnly ? null : (
            <>
              <Button variant="ghost" size="icon-sm" onClick={commands.undo} disabled={!commands.history.canUndo} aria-label="Undo" title={`Undo (${keyLabel("Mod+Z", mac)})`} data-testid="undo-button">
                <Undo2 aria-hidden />
              </Button>
              <Button variant="ghost" size="icon-sm" onClick={commands.redo} disabled={!commands.history.canRedo} aria-label="Redo" title={`Redo (${keyLabel("Mod+Shift+Z", mac)})`} data-testid="redo-button">
                <Redo2 aria-hidden />
              </Button>
            </>
          )}
          <Button variant="ghost" size="icon-sm" onClick={find.open ? find.close : find.show} aria-pressed={find.open} aria-label="Find and outline" title={`Find and outline (${keyLabel("Mod+F", mac)})`} data-testid="find-button">
            <Search aria-hidden />
          </Button>
          <Button variant="ghost" size="icon-sm" onClick={() => help.setOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" data-testid="shortcuts-button">
            <Keyboard aria-hidden />
          </Button>
        </div>
        {find.open ? <FindPanel focusKey={find.focusKey} onFocusNode={commands.focusNode} onClose={find.close} /> : null}
      </Panel>
      <CanvasContextMenu
        target={tools.menu}
        onClose={tools.closeMenu}
        commands={commands}
        readOnly={readOnly}
        onAutoLayout={tools.autoLayout}
        onFind={find.show}
        onDeleteEdge={(id) => store.getState().onEdgesChange([{ type: "remove", id }])}
      />
      <ShortcutsDialog open={help.open} onOpenChange={help.setOpen} />
    </>
  );
}

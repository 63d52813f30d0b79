"use client";

import type { ReactNode } from "react";
import { ClipboardPaste, Copy, CopyPlus, LayoutGrid, Redo2, Scissors, Search, SquareDashedMousePointer, Trash2, Undo2 } from "lucide-react";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { keyLabel } from "@/lib/editor/shortcuts";
import { useIsMac } from "./shortcuts-dialog";
import type { EditorCommands } from "./use-editor-commands";

/** What was right-clicked: nodes (one, or the selection), a connection, or the empty canvas at a canvas point. */
export type MenuTarget =
  | { kind: "nodes"; ids: string[]; clientX: number; clientY: number }
  | { kind: "edge"; id: string; clientX: number; clientY: number }
  | { kind: "pane"; at: { x: number; y: number }; clientX: number; clientY: number };

function Shortcut({ keys }: { keys: string }) {
  return <span className="ml-auto pl-4 text-xs text-muted-foreground">{keyLabel(keys, useIsMac())}</span>;
}

/**
 * The canvas's right-click menu: a Radix dropdown opened at the pointer (a zero-size trigger placed
 * there), so it has the dropdown's keyboard handling and focus management.
 */
export function CanvasContextMenu({
  target,
  onClose,
  commands,
  readOnly,
  onAutoLayout,
  onFind,
  onDeleteEdge,
}: {
  target: MenuTarget | null;
  onClose: () => void;
  commands: EditorCommands;
  readOnly: boolean;
  onAutoLayout: () => void;
  onFind: () => void;
  onDeleteEdge: (id: string) => void;
}) {
  const item = (label: string, icon: ReactNode, action: () => void, shortcut?: string, options: { destructive?: boolean; disabled?: boolean } = {}) => (
    <DropdownMenuItem
      key={label}
      onSelect={action}
      disabled={options.disabled}
      variant={options.destructive ? "destructive" : "default"}
      data-testid={`menu-${label.toLowerCase().replace(/\s+/g, "-")}`}
    >
      {icon}
      {label}
      {shortcut ? <Shortcut keys={shortcut} /> : null}
    </DropdownMenuItem>
  );
  const edit = !readOnly;
  return (
    <DropdownMenu open={target !== null} onOpenChange={(open) => (open ? undefined : onClose())} modal={false}>
      <DropdownMenuTrigger asChild>
        <span aria-hidden className="pointer-events-none fixed size-0" style={{ left: target?.clientX ?? 0, top: target?.clientY ?? 0 }} />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-56" data-testid="canvas-menu" onCloseAutoFocus={(e) => e.preventDefault()}>
        {target?.kind === "nodes" ? (
          <>
            {item("Copy", <Copy aria-hidden />, () => commands.copy(target.ids), "Mod+C")}
            {edit ? item("Cut", <Scissors aria-hidden />, () => commands.cut(target.ids), "Mod+X") : null}
            {edit ? item("Duplicate", <CopyPlus aria-hidden />, () => commands.duplicate(target.ids), "Mod+D") : null}
            {edit ? <DropdownMenuSeparator /> : null}
            {edit ? item(target.ids.length > 1 ? `Delete ${target.ids.length} nodes` : "Delete", <Trash2 aria-hidden />, () => commands.remove(target.ids), "Del", { destructive: true }) : null}
          </>
        ) : target?.kind === "edge" ? (
          edit ? item("Delete connection", <Trash2 aria-hidden />, () => onDeleteEdge(target.id), "Del", { destructive: true }) : null
        ) : target?.kind === "pane" ? (
          <>
            {edit ? item("Paste", <ClipboardPaste aria-hidden />, () => void commands.paste(target.at), "Mod+V") : null}
            {item("Select all", <SquareDashedMousePointer aria-hidden />, commands.selectAll, "Mod+A")}
            {item("Find", <Search aria-hidden />, onFind, "Mod+F")}
            {edit ? <DropdownMenuSeparator /> : null}
            {edit ? item("Undo", <Undo2 aria-hidden />, commands.undo, "Mod+Z", { disabled: !commands.history.canUndo }) : null}
            {edit ? item("Redo", <Redo2 aria-hidden />, commands.redo, "Mod+Shift+Z", { disabled: !commands.history.canRedo }) : null}
            {edit ? item("Auto layout", <LayoutGrid aria-hidden />, onAutoLayout) : null}
          </>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

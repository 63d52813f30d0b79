"use client";

import { useEffect, useRef } from "react";
import { commandForKey, isTypingTarget, type EditorCommand } from "@/lib/editor/shortcuts";
import { clipboardFromText } from "./clipboard-io";
import type { EditorCommands } from "./use-editor-commands";

type Point = { x: number; y: number };

export interface ShortcutTargets {
  commands: EditorCommands;
  openFind(): void;
  openHelp(): void;
  /** The canvas point under the pointer when it is over the canvas, else undefined. */
  pointer(): Point | undefined;
}

/** How long a Mod+V waits for the browser's paste event before reading the clipboard itself. */
const PASTE_EVENT_WAIT_MS = 60;

/** Text selected outside the canvas (a run's output): Mod+C copies that text, not nodes. */
function hasTextSelection(): boolean {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.toString()) return false;
  const anchor = selection.anchorNode;
  const element = anchor instanceof Element ? anchor : anchor?.parentElement;
  return !element?.closest(".react-flow");
}

/**
 * The editor's keyboard shortcuts (lib/editor/shortcuts.ts), on the document so they work wherever
 * the focus is, except while typing (fields, rich editors, dialogs, menus). Paste prefers the
 * browser's paste event, which reads the system clipboard without asking for a permission.
 */
export function useEditorShortcuts(targets: ShortcutTargets) {
  const ref = useRef(targets);
  useEffect(() => {
    ref.current = targets;
  });

  useEffect(() => {
    let pasteTimer: ReturnType<typeof setTimeout> | undefined;
    const run = (command: EditorCommand, event: KeyboardEvent): boolean => {
      const { commands, openFind, openHelp, pointer } = ref.current;
      switch (command) {
        case "undo":
          return (commands.undo(), true);
        case "redo":
          return (commands.redo(), true);
        case "copy":
          // Selected text (a run's output) is copied as text.
          return !hasTextSelection() && commands.copy();
        case "cut":
          return !hasTextSelection() && (commands.cut(), true);
        case "paste":
          // Not prevented: the browser's paste event follows and carries the clipboard.
          clearTimeout(pasteTimer);
          pasteTimer = setTimeout(() => void commands.paste(pointer()), PASTE_EVENT_WAIT_MS);
          return false;
        case "duplicate":
          return (commands.duplicate(), true);
        case "selectAll":
          return (commands.selectAll(), true);
        case "find":
          return (openFind(), true);
        case "help":
          return (openHelp(), true);
        case "deselect":
          commands.deselect();
          return false;
        case "delete":
          return (commands.removeSelection(), true);
      }
      return event.defaultPrevented;
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const command = commandForKey(event);
      if (!command) return;
      // Keys typed into a field belong to it (its own undo, the browser's find); Mod+F in the find box selects its text.
      const inFindBox = command === "find" && Boolean((event.target as Element | null)?.closest?.("[data-editor-find]"));
      if (isTypingTarget(event.target) && !inFindBox) return;
      if (run(command, event)) event.preventDefault();
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isTypingTarget(event.target) || event.defaultPrevented) return;
      clearTimeout(pasteTimer);
      event.preventDefault();
      const { commands, pointer } = ref.current;
      void commands.paste(pointer(), clipboardFromText(event.clipboardData?.getData("text/plain")));
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("paste", onPaste);
    return () => {
      clearTimeout(pasteTimer);
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("paste", onPaste);
    };
  }, []);
}

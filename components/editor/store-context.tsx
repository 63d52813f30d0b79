"use client";

import { createContext, useContext, type ReactNode } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { EditorState, EditorStore } from "@/lib/editor/store";

const EditorStoreContext = createContext<EditorStore | null>(null);
const NO_STORE = createStore(() => ({})) as unknown as EditorStore;

export function EditorStoreProvider({ store, children }: { store: EditorStore; children: ReactNode }) {
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

export function useEditorStore(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error("useEditorStore needs an EditorStoreProvider");
  return store;
}

/** Subscribes to one slice; selectors must return stable values (or use useShallow). */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

/** Whether the editor is read-only; false outside an editor (a panel rendered on its own). */
export function useEditorReadOnly(): boolean {
  const store = useContext(EditorStoreContext);
  return useStore(store ?? NO_STORE, (s) => Boolean((s as Partial<EditorState>).readOnly));
}

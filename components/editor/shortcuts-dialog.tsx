"use client";

import { useSyncExternalStore } from "react";
import { keyLabel, SHORTCUTS } from "@/lib/editor/shortcuts";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const noSubscription = () => () => {};

/** Whether "Mod" is Cmd (false while rendering on the server). */
export const useIsMac = () => useSyncExternalStore(noSubscription, isMac, () => false);

/** The keyboard shortcuts, opened with `?` or the toolbar's keyboard button. */
export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const mac = useIsMac();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-lg" data-testid="shortcuts-dialog">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>They work on the canvas, not while you type in a field.</DialogDescription>
        </DialogHeader>
        <div className="max-h-[60vh] space-y-4 overflow-y-auto">
          {SHORTCUTS.map((group) => (
            <section key={group.group}>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{group.group}</h3>
              <dl className="divide-y text-sm">
                {group.items.map((item) => (
                  <div key={item.what} className="flex items-center justify-between gap-4 py-1.5">
                    <dt>{item.what}</dt>
                    <dd className="flex shrink-0 gap-1">
                      {item.keys.map((keys) => (
                        <kbd key={keys} className="rounded border bg-zinc-50 px-1.5 py-0.5 font-mono text-xs">
                          {keyLabel(keys, mac)}
                        </kbd>
                      ))}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </DialogContent>
    </Dialog>
  );
}

"use client";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { ToolAuth } from "@/lib/tools/schema";

export const selectClass = "h-9 w-full rounded-md border border-input bg-background px-2 text-sm";

/** A secret picker: names only (values never reach the browser). */
export function SecretSelect({ id, value, names, onChange }: { id: string; value: string; names: string[]; onChange: (name: string) => void }) {
  return (
    <select id={id} className={selectClass} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">— choose a secret —</option>
      {[...new Set([...names, ...(value ? [value] : [])])].map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

/** Auth by secret reference: none, bearer, API key (header or query) or basic. */
export function AuthFields({ id, auth, secretNames, onChange }: { id: string; auth: ToolAuth; secretNames: string[]; onChange: (auth: ToolAuth) => void }) {
  const secret = "secret" in auth ? auth.secret : "";
  const setType = (type: ToolAuth["type"]) => {
    if (type === "none") onChange({ type });
    else if (type === "bearer") onChange({ type, secret });
    else if (type === "apiKey") onChange({ type, in: "header", name: "X-API-Key", secret });
    else onChange({ type, username: "", secret });
  };
  return (
    <fieldset className="space-y-2 rounded-md border p-3">
      <legend className="px-1 text-xs font-medium">Authentication</legend>
      <div className="grid grid-cols-2 gap-2">
        <div className="space-y-1">
          <Label htmlFor={`${id}-type`}>Type</Label>
          <select id={`${id}-type`} className={selectClass} value={auth.type} onChange={(e) => setType(e.target.value as ToolAuth["type"])}>
            <option value="none">None</option>
            <option value="bearer">Bearer token</option>
            <option value="apiKey">API key</option>
            <option value="basic">Basic</option>
          </select>
        </div>
        {auth.type !== "none" ? (
          <div className="space-y-1">
            <Label htmlFor={`${id}-secret`}>{auth.type === "basic" ? "Password secret" : "Secret"}</Label>
            <SecretSelect id={`${id}-secret`} value={secret} names={secretNames} onChange={(name) => onChange({ ...auth, secret: name })} />
          </div>
        ) : null}
      </div>
      {auth.type === "apiKey" ? (
        <div className="grid grid-cols-2 gap-2">
          <div className="space-y-1">
            <Label htmlFor={`${id}-in`}>Sent in</Label>
            <select id={`${id}-in`} className={selectClass} value={auth.in} onChange={(e) => onChange({ ...auth, in: e.target.value as "header" | "query" })}>
              <option value="header">Header</option>
              <option value="query">Query parameter</option>
            </select>
          </div>
          <div className="space-y-1">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input id={`${id}-name`} value={auth.name} onChange={(e) => onChange({ ...auth, name: e.target.value })} />
          </div>
        </div>
      ) : null}
      {auth.type === "basic" ? (
        <div className="space-y-1">
          <Label htmlFor={`${id}-user`}>Username</Label>
          <Input id={`${id}-user`} value={auth.username} onChange={(e) => onChange({ ...auth, username: e.target.value })} />
        </div>
      ) : null}
    </fieldset>
  );
}

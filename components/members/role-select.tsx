"use client";

import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ROLES, hasRole, type Role } from "@/lib/auth/member";

/** The roles `actor` may grant: never above their own (only owners make owners). */
export const grantableRoles = (actor: Role): Role[] => ROLES.filter((role) => hasRole(actor, role));

export function RoleSelect({ actor, value, onChange, label, disabled, testId }: { actor: Role; value: Role; onChange: (role: Role) => void; label: string; disabled?: boolean; testId?: string }) {
  return (
    <Select value={value} onValueChange={(next) => onChange(next as Role)} disabled={disabled}>
      <SelectTrigger aria-label={label} data-testid={testId} className="h-8 w-32 capitalize">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {grantableRoles(actor).map((role) => (
          <SelectItem key={role} value={role} className="capitalize">
            {role}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

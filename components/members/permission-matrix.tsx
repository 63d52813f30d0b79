import { Check } from "lucide-react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLES } from "@/lib/auth/member";
import { ACTIONS, PERMISSIONS, can } from "@/lib/auth/permissions";

/** Every action of the one permission table × every role, rendered from the table itself. */
export function PermissionMatrix() {
  const roles = [...ROLES].reverse();
  return (
    <Table data-testid="permission-matrix">
      <TableHeader>
        <TableRow>
          <TableHead>Action</TableHead>
          {roles.map((role) => (
            <TableHead key={role} className="text-center capitalize">
              {role}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {ACTIONS.map((action) => (
          <TableRow key={action} data-action={action}>
            <TableCell>
              <span className="block text-sm">{PERMISSIONS[action].label}</span>
              <code className="text-xs text-muted-foreground">{action}</code>
            </TableCell>
            {roles.map((role) => (
              <TableCell key={role} className="text-center" data-role={role} data-allowed={can(role, action)}>
                {can(role, action) ? <Check className="mx-auto size-4 text-green-700" aria-label={`${role} may`} /> : <span className="sr-only">{`${role} may not`}</span>}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

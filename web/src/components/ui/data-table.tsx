import type { ReactNode } from "react";

import { cn } from "@/lib/utils";

/** A table of records: header cells from `columns` (a `false` entry is a column not shown
 * to this user), the rows as children; it scrolls sideways rather than overflow a tablet. */
export function DataTable({
  columns,
  children,
  bodyClassName,
}: {
  columns: (ReactNode | false)[];
  children: ReactNode;
  bodyClassName?: string;
}) {
  const shown = columns.filter((column) => column !== false);
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            {shown.map((column, index) => (
              <th key={index} scope="col" className={cn("py-2 font-medium", index < shown.length - 1 && "pr-3")}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={cn("divide-y divide-slate-100", bodyClassName)}>{children}</tbody>
      </table>
    </div>
  );
}

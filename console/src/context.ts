import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api/client.ts";
import type { Permission } from "./permissions.ts";

/** The signed-in client and what it may do, for every view below the sign-in form. */
export const SessionContext = createContext<{ api: Api; permission: Permission } | null>(null);

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}

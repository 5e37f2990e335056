/** What the user typed to sign in: where Berth is and the key to sign with. */
export interface Session {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const STORAGE_KEY = "berth.console.session";

/**
 * The session lives in sessionStorage only: it survives a reload of the tab, and is gone when
 * the tab closes. Never localStorage, never a cookie (which the browser would send on its own).
 */
export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Session;
  } catch {
    return undefined;
  }
}

export const saveSession = (session: Session) => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));

export const clearSession = () => sessionStorage.removeItem(STORAGE_KEY);

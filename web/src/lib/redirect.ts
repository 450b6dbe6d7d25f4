/** Where to go after signing in: a path of this console only, never another site. */
export function safeRedirect(target: string | undefined): string {
  if (!target || !target.startsWith("/") || target.startsWith("//") || target.includes("\\")) {
    return "/";
  }
  return target.startsWith("/sign-in") ? "/" : target;
}

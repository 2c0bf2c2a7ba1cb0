/**
 * The first SQLSTATE in an error's cause chain that `matches` (Drizzle wraps the driver's error, which
 * carries the code), or null.
 */
export function sqlStateIn(error: unknown, matches: (state: string) => boolean): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && matches(code)) return code;
    current = current.cause;
  }
  return null;
}

/**
 * The first SQLSTATE in an error's cause chain that `matches`, or null. The driver's error carries the
 * code: on the error itself for statements run on the driver (`prepared.ts`), as its cause where
 * Drizzle wraps it.
 */
export function sqlStateIn(error: unknown, matches: (state: string) => boolean): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && matches(code)) return code;
    current = current.cause;
  }
  return null;
}

/**
 * Parses dead-letter references, `partition:offset` (`--offset 0:12 1:3`, or `0:12,1:3`), into a
 * set of `p:o` keys; throws naming the option, the form and the value for anything else.
 */
export function parseRecordRefs(refs: readonly string[] | undefined): Set<string> | undefined {
  if (!refs || refs.length === 0) return undefined;
  const out = new Set<string>();
  for (const ref of refs.flatMap((r) => r.split(','))) {
    const m = /^(\d+):(\d+)$/.exec(ref.trim());
    if (!m) throw new Error(`--offset takes partition:offset pairs such as 0:12, got '${ref}'`);
    out.add(`${Number(m[1])}:${Number(m[2])}`);
  }
  return out;
}

/** A piece of text to render, marked when it is part of a match. */
export interface Segment {
  text: string;
  match: boolean;
}

/**
 * Splits `text` at the server's match ranges (UTF-16 offsets, end exclusive) so the page can wrap
 * matches in <mark> without injecting HTML. Ranges may come unsorted or overlapping (one per
 * query term); out-of-range or empty ones are ignored rather than trusted.
 */
export function highlightSegments(text: string, ranges: readonly (readonly [number, number])[] | undefined): Segment[] {
  const clean = (ranges ?? [])
    .map(([s, e]) => [Math.max(0, Math.floor(s)), Math.min(text.length, Math.floor(e))] as const)
    .filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && s < e)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of clean) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) out.push({ text: text.slice(at, s), match: false });
    out.push({ text: text.slice(s, e), match: true });
    at = e;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), match: false });
  return out;
}

// Suggesting a known name for a mistyped one. Configuration errors never repeat what was typed (a key pasted into
// the wrong variable or flag would land on stderr and in client logs), so a suggestion is the only name they show:
// it is always one of the server's own names.

/** The known name closest to `typed` (edit distance at most 2, and under half its length), if any. */
export function closestName(typed: string, known: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(typed.length / 2));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it cannot be below `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= cap) return cap;
    previous = current;
  }
  return Math.min(previous[b.length] ?? cap, cap);
}

/** " (did you mean X?)" when a known name is close to what was typed, else "". */
export function didYouMean(typed: string, known: readonly string[]): string {
  const name = closestName(typed, known);
  return name === undefined ? "" : ` (did you mean ${name}?)`;
}

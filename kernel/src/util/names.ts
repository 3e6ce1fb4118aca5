/** Suggesting the name a user probably meant (unknown run ids, method names). */

/** Levenshtein edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The `count` candidates closest to `name`, nearest first. */
export function closestNames(name: string, candidates: readonly string[], count = 1): string[] {
  return candidates
    .map(candidate => ({ candidate, d: editDistance(name, candidate) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map(n => n.candidate);
}

/**
 * The known name a misspelt one was probably meant to be (case aside), or undefined when
 * none is within a third of its length (2 edits for short names): past that it is a guess.
 */
export function suggestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const [closest] = closestNames(
    lower,
    known.map(k => k.toLowerCase())
  );
  if (closest === undefined) {
    return undefined;
  }
  const limit = Math.max(2, Math.ceil(name.length / 3));
  return editDistance(lower, closest) <= limit
    ? known.find(k => k.toLowerCase() === closest)
    : undefined;
}

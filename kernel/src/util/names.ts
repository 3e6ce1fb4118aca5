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

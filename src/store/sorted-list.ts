/**
 * A sorted set of strings (JS code unit order), kept as a list of bounded sorted leaves plus
 * each leaf's maximum (the "sorted list" of Python's sortedcontainers). Insert and remove are
 * O(log n + LEAF); range reads walk leaves in place. A flat sorted array degrades to O(n)
 * memmoves per random insert; at 100k+ keys the leaves keep that cost bounded.
 */
const LEAF = 512;

export class SortedStrings {
  private leaves: string[][] = [];
  private maxes: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.leaves = [];
    this.maxes = [];
    this.count = 0;
  }

  /** Index of the first leaf whose max is >= s (leaves.length if none). */
  private leafFor(s: string): number {
    const maxes = this.maxes;
    let lo = 0, hi = maxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (maxes[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `s`; false if it was already present. */
  insert(s: string): boolean {
    const leaves = this.leaves;
    if (leaves.length === 0) {
      leaves.push([s]);
      this.maxes.push(s);
      this.count = 1;
      return true;
    }
    let li = this.leafFor(s);
    if (li === leaves.length) {
      // Above every key: append (the common case for increasing ids).
      li--;
      leaves[li]!.push(s);
      this.maxes[li] = s;
    } else {
      const leaf = leaves[li]!;
      const i = lowerBound(leaf, s);
      if (leaf[i] === s) return false;
      leaf.splice(i, 0, s);
    }
    this.count++;
    const leaf = leaves[li]!;
    if (leaf.length > 2 * LEAF) {
      const right = leaf.splice(LEAF);
      leaves.splice(li + 1, 0, right);
      this.maxes.splice(li, 1, leaf[leaf.length - 1]!, right[right.length - 1]!);
    }
    return true;
  }

  /** Removes `s`; false if it was absent. */
  remove(s: string): boolean {
    const li = this.leafFor(s);
    if (li === this.leaves.length) return false;
    const leaf = this.leaves[li]!;
    const i = lowerBound(leaf, s);
    if (leaf[i] !== s) return false;
    leaf.splice(i, 1);
    this.count--;
    if (leaf.length === 0) {
      this.leaves.splice(li, 1);
      this.maxes.splice(li, 1);
    } else if (i === leaf.length) {
      this.maxes[li] = leaf[i - 1]!;
    }
    return true;
  }

  /**
   * Up to `max` strings in `[lo, hi)` (`(lo, hi)` if `loExclusive`), ascending, or descending
   * from the top when `reverse`.
   */
  range(lo: string, loExclusive: boolean, hi: string, reverse: boolean, max: number): string[] {
    const out: string[] = [];
    if (max <= 0 || !(lo < hi)) return out;
    const leaves = this.leaves;
    if (!reverse) {
      let li = this.leafFor(lo);
      if (li === leaves.length) return out;
      let i = lowerBound(leaves[li]!, lo);
      if (loExclusive && leaves[li]![i] === lo) i++;
      for (; li < leaves.length; li++, i = 0) {
        const leaf = leaves[li]!;
        for (; i < leaf.length; i++) {
          const s = leaf[i]!;
          if (s >= hi) return out;
          out.push(s);
          if (out.length === max) return out;
        }
      }
    } else {
      let li = this.leafFor(hi);
      if (li === leaves.length) li--;
      if (li < 0) return out;
      let i = lowerBound(leaves[li]!, hi) - 1; // last element < hi
      for (; li >= 0; li--, i = li >= 0 ? leaves[li]!.length - 1 : 0) {
        const leaf = leaves[li]!;
        for (; i >= 0; i--) {
          const s = leaf[i]!;
          if (s < lo || (loExclusive && s === lo)) return out;
          out.push(s);
          if (out.length === max) return out;
        }
      }
    }
    return out;
  }
}

function lowerBound(a: string[], s: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

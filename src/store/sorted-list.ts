/**
 * A sorted map from strings (JS code unit order) to a value and a version number, kept as a
 * list of bounded sorted leaves plus each leaf's maximum (the "sorted list" of Python's
 * sortedcontainers), with each leaf's values and versions in arrays parallel to its keys.
 * Insert and remove are O(log n + LEAF); lookups are two binary searches (about the cost of a
 * Map lookup of a freshly built key, which must hash it first); range reads walk leaves in
 * place. An entry costs three array slots (24 bytes) beside its key: no Map entry, no object.
 * A flat sorted array degrades to O(n) memmoves per random insert; at 100k+ keys the leaves
 * keep that cost bounded.
 */
const LEAF = 512;
/** Positions pack (leaf, index) into one number; a leaf never holds more than 2 * LEAF + 1. */
const POS = 2048;

export class SortedMap<V = unknown> {
  private keys: string[][] = [];
  private values: V[][] = [];
  private versions: number[][] = [];
  private maxes: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.versions = [];
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

  /** The position of `s` (for `valueAt`/`versionAt`, valid until the next write), or -1. */
  find(s: string): number {
    const li = this.leafFor(s);
    if (li === this.keys.length) return -1;
    const leaf = this.keys[li]!;
    const i = lowerBound(leaf, s);
    return leaf[i] === s ? li * POS + i : -1;
  }

  valueAt(pos: number): V {
    return this.values[Math.floor(pos / POS)]![pos % POS]!;
  }

  versionAt(pos: number): number {
    return this.versions[Math.floor(pos / POS)]![pos % POS]!;
  }

  /** Replaces the value and version at a position `find` gave (no write in between). */
  setAt(pos: number, value: V, version: number): void {
    const li = Math.floor(pos / POS), i = pos % POS;
    this.values[li]![i] = value;
    this.versions[li]![i] = version;
  }

  /**
   * Sets the value and version of `s`; true if `s` is new. A new key is stored as given
   * (callers keep it flat: it lives as long as the entry).
   */
  set(s: string, value: V, version: number): boolean {
    const keys = this.keys;
    if (keys.length === 0) {
      keys.push([s]);
      this.values.push([value]);
      this.versions.push([version]);
      this.maxes.push(s);
      this.count = 1;
      return true;
    }
    let li = this.leafFor(s);
    if (li === keys.length) {
      // Above every key: append (the common case for increasing ids).
      li--;
      keys[li]!.push(s);
      this.values[li]!.push(value);
      this.versions[li]!.push(version);
      this.maxes[li] = s;
    } else {
      const leaf = keys[li]!;
      const i = lowerBound(leaf, s);
      if (leaf[i] === s) {
        this.values[li]![i] = value;
        this.versions[li]![i] = version;
        return false;
      }
      leaf.splice(i, 0, s);
      this.values[li]!.splice(i, 0, value);
      this.versions[li]!.splice(i, 0, version);
    }
    this.count++;
    const leaf = keys[li]!;
    if (leaf.length > 2 * LEAF) {
      const right = leaf.splice(LEAF);
      keys.splice(li + 1, 0, right);
      this.values.splice(li + 1, 0, this.values[li]!.splice(LEAF));
      this.versions.splice(li + 1, 0, this.versions[li]!.splice(LEAF));
      this.maxes.splice(li, 1, leaf[leaf.length - 1]!, right[right.length - 1]!);
    }
    return true;
  }

  /** Removes `s`; false if it was absent. */
  delete(s: string): boolean {
    const li = this.leafFor(s);
    if (li === this.keys.length) return false;
    const leaf = this.keys[li]!;
    const i = lowerBound(leaf, s);
    if (leaf[i] !== s) return false;
    leaf.splice(i, 1);
    this.values[li]!.splice(i, 1);
    this.versions[li]!.splice(i, 1);
    this.count--;
    if (leaf.length === 0) {
      this.keys.splice(li, 1);
      this.values.splice(li, 1);
      this.versions.splice(li, 1);
      this.maxes.splice(li, 1);
    } else if (i === leaf.length) {
      this.maxes[li] = leaf[i - 1]!;
    }
    return true;
  }

  /**
   * Appends to `keys`, `values`, `versions` up to `max` entries whose keys are in `[lo, hi)`
   * (`(lo, hi)` if `loExclusive`), ascending, or descending from the top when `reverse`.
   */
  rangeInto(lo: string, loExclusive: boolean, hi: string, reverse: boolean, max: number, keys: string[], values: V[], versions: number[]): void {
    if (max <= 0 || !(lo < hi)) return;
    const leaves = this.keys;
    let n = 0;
    if (!reverse) {
      let li = this.leafFor(lo);
      if (li === leaves.length) return;
      let i = lowerBound(leaves[li]!, lo);
      if (loExclusive && leaves[li]![i] === lo) i++;
      for (; li < leaves.length; li++, i = 0) {
        const leaf = leaves[li]!, vals = this.values[li]!, vers = this.versions[li]!;
        for (; i < leaf.length; i++) {
          const s = leaf[i]!;
          if (s >= hi) return;
          keys.push(s), values.push(vals[i]!), versions.push(vers[i]!);
          if (++n === max) return;
        }
      }
    } else {
      let li = this.leafFor(hi);
      if (li === leaves.length) li--;
      if (li < 0) return;
      let i = lowerBound(leaves[li]!, hi) - 1; // last element < hi
      for (; li >= 0; li--, i = li >= 0 ? leaves[li]!.length - 1 : 0) {
        const leaf = leaves[li]!, vals = this.values[li]!, vers = this.versions[li]!;
        for (; i >= 0; i--) {
          const s = leaf[i]!;
          if (s < lo || (loExclusive && s === lo)) return;
          keys.push(s), values.push(vals[i]!), versions.push(vers[i]!);
          if (++n === max) return;
        }
      }
    }
  }
}

/** A sorted set of strings: the keys of a `SortedMap`. */
export class SortedStrings {
  private readonly map = new SortedMap<undefined>();

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }

  /** Adds `s`; false if it was already present. */
  insert(s: string): boolean {
    return this.map.find(s) < 0 && this.map.set(s, undefined, 0);
  }

  /** Removes `s`; false if it was absent. */
  remove(s: string): boolean {
    return this.map.delete(s);
  }

  /**
   * Up to `max` strings in `[lo, hi)` (`(lo, hi)` if `loExclusive`), ascending, or descending
   * from the top when `reverse`.
   */
  range(lo: string, loExclusive: boolean, hi: string, reverse: boolean, max: number): string[] {
    const out: string[] = [];
    this.map.rangeInto(lo, loExclusive, hi, reverse, max, out, [], []);
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

/** Strings joined into sets, each set known by its smallest member (a person by their smallest normalized handle). */
export class UnionFind {
  private readonly parent = new Map<string, string>();

  /** The smallest member of the set holding `node` (itself when it was never joined). */
  root(node: string): string {
    let at = node;
    while (this.parent.has(at) && this.parent.get(at) !== at) at = this.parent.get(at)!;
    return at;
  }

  union(a: string, b: string): void {
    const [rootA, rootB] = [this.root(a), this.root(b)];
    const [keep, drop] = rootA <= rootB ? [rootA, rootB] : [rootB, rootA];
    this.parent.set(keep, keep);
    if (drop !== keep) this.parent.set(drop, keep);
  }
}

// The tables a text (and the up migration before it) created, looked up by name in constant time:
// each statement asks, so a list searched from the start made a long file's scan quadratic.

export class CreatedTables {
  /** Table name -> the schemas it was created in (`undefined`: no schema written), and when (the count of adds before it). */
  private readonly byName = new Map<string, { schema: string | undefined; at: number }[]>();
  private adds = 0;

  constructor(names: readonly string[][] = []) {
    for (const n of names) this.add(n);
  }

  /** How many tables were added so far: `has(name, size)` later answers as `has(name)` does now. */
  get size(): number {
    return this.adds;
  }

  add(name: readonly string[]): void {
    const table = name[name.length - 1];
    if (table === undefined) return;
    const at = this.adds++;
    const schemas = this.byName.get(table);
    const schema = name.length > 1 ? name[name.length - 2] : undefined;
    if (schemas) {
      if (!schemas.some((s) => s.schema === schema)) schemas.push({ schema, at });
    } else this.byName.set(table, [{ schema, at }]);
  }

  /** Same table when the names match and the schemas do too (or either has none); `asOf`: among the first `asOf` added. */
  has(name: readonly string[], asOf = Infinity): boolean {
    const table = name[name.length - 1];
    const schemas = table === undefined ? undefined : this.byName.get(table);
    if (!schemas) return false;
    const schema = name.length > 1 ? name[name.length - 2] : undefined;
    return schemas.some((s) => s.at < asOf && (!schema || !s.schema || s.schema === schema));
  }
}

// The tables a text (and the up migration before it) created, looked up by name in constant time:
// each statement asks, so a list searched from the start made a long file's scan quadratic.

export class CreatedTables {
  /** Table name -> the schemas it was created in (`undefined`: no schema written). */
  private readonly byName = new Map<string, (string | undefined)[]>();

  constructor(names: readonly string[][] = []) {
    for (const n of names) this.add(n);
  }

  add(name: readonly string[]): void {
    const table = name[name.length - 1];
    if (table === undefined) return;
    const schemas = this.byName.get(table);
    const schema = name.length > 1 ? name[name.length - 2] : undefined;
    if (schemas) {
      if (!schemas.includes(schema)) schemas.push(schema);
    } else this.byName.set(table, [schema]);
  }

  /** Same table when the names match and the schemas do too (or either has none). */
  has(name: readonly string[]): boolean {
    const table = name[name.length - 1];
    const schemas = table === undefined ? undefined : this.byName.get(table);
    if (!schemas) return false;
    const schema = name.length > 1 ? name[name.length - 2] : undefined;
    return schemas.some((s) => !schema || !s || s === schema);
  }
}

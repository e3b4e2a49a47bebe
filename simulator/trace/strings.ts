// String interning for the trace: each distinct string is stored once and
// referred to by a small integer in the columns.

export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [''];

  constructor() {
    this.ids.set('', 0);
  }

  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  get(id: number): string {
    const s = this.values[id];
    if (s === undefined) throw new RangeError(`no interned string ${id}`);
    return s;
  }

  get size(): number {
    return this.values.length;
  }

  all(): readonly string[] {
    return this.values;
  }
}

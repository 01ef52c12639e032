/**
 * The one way SQL parameters are bound: values are appended to a list and referenced as
 * `$n` (never concatenated into the text). `named` binds a value once under a key, however
 * often the statement refers to it, so that a statement declares exactly the parameters it reads.
 */
export class SqlParams {
  readonly values: unknown[];
  private readonly slots = new Map<string, string>();

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  /** Appends a value; returns its placeholder, with a cast when `type` is given. */
  add(value: unknown, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }

  /** Binds `value()` under `key` on first use; later uses return the same placeholder. */
  named(key: string, type: string, value: () => unknown): string {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = this.add(value(), type);
      this.slots.set(key, slot);
    }
    return slot;
  }
}

/** An identifier (table or column name) quoted for SQL. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

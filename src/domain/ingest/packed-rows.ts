/**
 * Remembered lookup rows kept compact (BatchMemory, direct-load.ts): per key one string holding
 * the row's other fields, instead of an object and a string per field. At 2 M settlements the
 * batch memory is most of the loader's heap, and every full garbage collection marks all of it:
 * an object with four strings per row made the collections grow with the square of the batch
 * (docs/PERFORMANCE.md, ## Ingest). A row is rebuilt, as a new object, when it is read.
 */
import { LookupRow } from './ingest.files';

/** Between two fields of a packed row. */
const SEP = '\u0001';
/** A field that is null. */
const NULL = '\u0002';

/** PackedRows.drain(): rows as arrays (structured-cloneable). */
export interface PackedEntries {
  fields: string[] | null;
  keys: string[];
  packed: string[];
  odd: [string, LookupRow][];
}

export class PackedRows {
  /** key → the fields (without `key`) in `fields` order, SEP between them, NULL for null. */
  private packed = new Map<string, string>();
  /** Rows that cannot be packed (a value holding SEP or NULL, another shape): kept as they are. */
  private odd = new Map<string, LookupRow>();
  /** The row fields besides `key`, from the first row. */
  private fields: string[] | null = null;

  get size(): number {
    return this.packed.size + this.odd.size;
  }

  set(key: string, row: LookupRow): void {
    const fields = (this.fields ??= Object.keys(row).filter((name) => name !== 'key'));
    const packed = pack(row, fields);
    if (packed === null) {
      this.packed.delete(key);
      this.odd.set(key, row);
    } else {
      this.odd.delete(key);
      this.packed.set(key, packed);
    }
  }

  /** The row of `key` (a new object), or undefined. */
  get(key: string): LookupRow | undefined {
    const packed = this.packed.get(key);
    if (packed === undefined) return this.odd.get(key);
    const row: LookupRow = { key };
    const fields = this.fields!;
    if (fields.length === 1) row[fields[0]] = packed === NULL ? null : packed;
    else if (fields.length > 1) {
      const parts = packed.split(SEP);
      for (let i = 0; i < fields.length; i++) row[fields[i]] = parts[i] === NULL ? null : parts[i];
    }
    return row;
  }

  /** Copies `other`'s rows in (packed as they are) until this holds `limit` rows. */
  addFrom(other: PackedRows, limit: number): void {
    if (this.fields && other.fields && this.fields.join(SEP) !== other.fields.join(SEP)) {
      // Another shape (not the case of the specs): row by row.
      for (const key of other.keys()) {
        if (this.size >= limit) return;
        this.set(key, other.get(key)!);
      }
      return;
    }
    this.fields ??= other.fields;
    if (this.size === 0 && other.size <= limit) {
      // The first file of its kind: its rows become these (no copy; `other` is not used after).
      this.packed = other.packed;
      this.odd = other.odd;
      return;
    }
    for (const [key, packed] of other.packed) {
      if (this.size >= limit) return;
      this.odd.delete(key);
      this.packed.set(key, packed);
    }
    for (const [key, row] of other.odd) {
      if (this.size >= limit) return;
      this.packed.delete(key);
      this.odd.set(key, row);
    }
  }

  /** The rows set since the last drain, as plain arrays a worker thread can post; this emptied. */
  drain(): PackedEntries {
    const entries: PackedEntries = {
      fields: this.fields,
      keys: [...this.packed.keys()],
      packed: [...this.packed.values()],
      odd: [...this.odd],
    };
    this.packed.clear();
    this.odd.clear();
    return entries;
  }

  /** Drained rows added (a later row of a key replaces an earlier one), until this holds `limit` rows. */
  addEntries(entries: PackedEntries, limit: number): void {
    if (this.fields && entries.fields && this.fields.join(SEP) !== entries.fields.join(SEP)) {
      const other = new PackedRows();
      other.fields = entries.fields;
      for (let i = 0; i < entries.keys.length; i++) other.packed.set(entries.keys[i], entries.packed[i]);
      for (const [key, row] of entries.odd) other.odd.set(key, row);
      this.addFrom(other, limit);
      return;
    }
    this.fields ??= entries.fields;
    const { keys, packed } = entries;
    for (let i = 0; i < keys.length; i++) {
      if (this.size >= limit) return;
      if (this.odd.size) this.odd.delete(keys[i]);
      this.packed.set(keys[i], packed[i]);
    }
    for (const [key, row] of entries.odd) {
      if (this.size >= limit) return;
      this.packed.delete(key);
      this.odd.set(key, row);
    }
  }

  *keys(): IterableIterator<string> {
    yield* this.packed.keys();
    yield* this.odd.keys();
  }

}

/** A row packed (one string, SEP between the fields in `fields` order, NULL for null); null when it cannot be. */
function pack(row: LookupRow, fields: string[]): string | null {
  let count = 0;
  for (const name in row) if (name !== 'key') count++;
  if (count !== fields.length) return null;
  let packed = '';
  for (let i = 0; i < fields.length; i++) {
    const value = row[fields[i]];
    if (value === undefined) return null;
    if (value === null) packed += i ? SEP + NULL : NULL;
    else {
      if (value.includes(SEP) || value === NULL || value.includes(NULL)) return null;
      packed += i ? SEP + value : value;
    }
  }
  return packed;
}

/**
 * Rows collected for posting (a row worker's remembered entries of a chunk): packed as
 * PackedRows packs them, in arrays rather than a map (the loader's PackedRows.addEntries keys them).
 */
export class PackedList {
  private entries: PackedEntries = { fields: null, keys: [], packed: [], odd: [] };

  set(key: string, row: LookupRow): void {
    const fields = (this.entries.fields ??= Object.keys(row).filter((name) => name !== 'key'));
    const packed = pack(row, fields);
    if (packed === null) this.entries.odd.push([key, row]);
    else {
      this.entries.keys.push(key);
      this.entries.packed.push(packed);
    }
  }

  /** The rows since the last drain; this emptied. */
  drain(): PackedEntries {
    const entries = this.entries;
    this.entries = { fields: entries.fields, keys: [], packed: [], odd: [] };
    return entries;
  }
}

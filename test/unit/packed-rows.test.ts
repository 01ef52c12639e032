/**
 * PackedRows (the batch memory's compact rows): every row read back equal to the one stored,
 * whatever its values; copies between memories keep the limit.
 */
import { LookupRow } from '../../src/domain/ingest/ingest.files';
import { PackedList, PackedRows } from '../../src/domain/ingest/packed-rows';

describe('PackedRows', () => {
  it('reads back settlement-like rows, nulls and empty strings included', () => {
    const rows = new PackedRows();
    const stored: (LookupRow & { key: string })[] = [
      { key: 'S1', settled_on: '2025-03-01', admit_date: '2025-02-27', discharge_date: '2025-03-01' },
      { key: 'S2', settled_on: '2025-03-02', admit_date: null, discharge_date: null },
      { key: 'S3', settled_on: '', admit_date: '', discharge_date: null },
      // Values holding the separators, and a row of another shape, are kept as they are.
      { key: 'S4', settled_on: 'a\u0001b', admit_date: '\u0002', discharge_date: null },
      { key: 'S5', settled_on: '2025-03-05' },
      { key: 'S6', settled_on: '2025-03-06', admit_date: null, discharge_date: null, extra: 'x' },
    ];
    for (const row of stored) rows.set(row.key, row);
    expect(rows.size).toBe(stored.length);
    for (const row of stored) expect(rows.get(row.key)).toEqual(row);
    expect(rows.get('S9')).toBeUndefined();
    // A key set again takes its new row.
    rows.set('S4', { key: 'S4', settled_on: '2025-03-04', admit_date: null, discharge_date: null });
    expect(rows.get('S4')).toEqual({ key: 'S4', settled_on: '2025-03-04', admit_date: null, discharge_date: null });
    expect(rows.size).toBe(stored.length);
  });

  it('reads back key-only rows (persons) and single-field rows', () => {
    const persons = new PackedRows();
    persons.set('P1', { key: 'P1' });
    expect(persons.get('P1')).toEqual({ key: 'P1' });
    const single = new PackedRows();
    single.set('A', { key: 'A', v: null });
    single.set('B', { key: 'B', v: '' });
    single.set('C', { key: 'C', v: 'c' });
    expect([single.get('A'), single.get('B'), single.get('C')]).toEqual([
      { key: 'A', v: null },
      { key: 'B', v: '' },
      { key: 'C', v: 'c' },
    ]);
  });

  it('addFrom copies rows until the limit, odd ones included', () => {
    const from = new PackedRows();
    from.set('S1', { key: 'S1', d: '1' });
    from.set('S2', { key: 'S2', d: 'x\u0001' });
    from.set('S3', { key: 'S3', d: '3' });
    const into = new PackedRows();
    into.addFrom(from, 10);
    expect([...into.keys()].sort()).toEqual(['S1', 'S2', 'S3']);
    for (const key of ['S1', 'S2', 'S3']) expect(into.get(key)).toEqual(from.get(key));
    const small = new PackedRows();
    small.addFrom(from, 2);
    expect(small.size).toBe(2);
  });

  it('drain empties the rows into arrays (a row worker posts them); addEntries takes them back until the limit', () => {
    const worker = new PackedRows();
    worker.set('S1', { key: 'S1', settled_on: '2025-03-01', admit_date: null });
    worker.set('S2', { key: 'S2', settled_on: '2025-03-02', admit_date: 'x\u0001' });
    const first = worker.drain();
    expect(worker.size).toBe(0);
    worker.set('S3', { key: 'S3', settled_on: '2025-03-03', admit_date: '2025-03-01' });
    // Through a structured clone, as between threads.
    const entries = [structuredClone(first), structuredClone(worker.drain())];
    const loader = new PackedRows();
    for (const e of entries) loader.addEntries(e, 10);
    expect([...loader.keys()].sort()).toEqual(['S1', 'S2', 'S3']);
    expect(loader.get('S1')).toEqual({ key: 'S1', settled_on: '2025-03-01', admit_date: null });
    expect(loader.get('S2')).toEqual({ key: 'S2', settled_on: '2025-03-02', admit_date: 'x\u0001' });
    expect(loader.get('S3')).toEqual({ key: 'S3', settled_on: '2025-03-03', admit_date: '2025-03-01' });
    const small = new PackedRows();
    for (const e of entries) small.addEntries(e, 2);
    expect(small.size).toBe(2);
  });

  it('addFrom into an empty set takes the rows over; into a filled one it adds them', () => {
    const a = new PackedRows();
    a.set('P1', { key: 'P1' });
    const b = new PackedRows();
    b.set('P2', { key: 'P2' });
    const memory = new PackedRows();
    memory.addFrom(a, 10);
    memory.addFrom(b, 10);
    expect([...memory.keys()].sort()).toEqual(['P1', 'P2']);
    expect(memory.get('P2')).toEqual({ key: 'P2' });
  });

  it('PackedList (a row worker’s entries) drains into the same rows as PackedRows holds', () => {
    const list = new PackedList();
    const rows = new PackedRows();
    const entries = [
      { key: 'S1', settled_on: '2025-03-01', admit_date: null },
      { key: 'S2', settled_on: '2025-03-02', admit_date: 'x\u0002' },
    ];
    for (const e of entries) {
      list.set(e.key, e);
      rows.set(e.key, e);
    }
    const loader = new PackedRows();
    loader.addEntries(structuredClone(list.drain()), 10);
    expect(list.drain().keys).toEqual([]);
    for (const e of entries) expect(loader.get(e.key)).toEqual(rows.get(e.key));
  });
});

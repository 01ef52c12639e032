import { CATALOG_ITEMS, CITY_OVERRIDES, CatalogItem, PROVINCE } from './reference-data';
import { csvField } from './csv';
import { formatFen } from './decimal';

/** The limits of one catalog row, as the generator needs them to stay inside (or step outside) them. */
export interface CatalogLimits {
  maxUnitPriceFen: number | null;
  maxDailyQuantity: number | null;
  maxMonthlyQuantity: number | null;
  includes: readonly string[];
}

/**
 * The generator's view of the price catalog. The oracle does not use this class: it reads
 * price_catalog.csv back, so a mistake here shows up as a planted case the oracle disagrees with.
 */
export class SynthCatalog {
  private readonly items = new Map<string, CatalogItem>();
  private readonly cityRows = new Map<string, CatalogLimits>();
  private readonly conflicts = new Map<string, Set<string>>();
  /** item_name already escaped for CSV, looked up once per line written. */
  readonly csvNames = new Map<string, string>();

  constructor() {
    for (const item of CATALOG_ITEMS) {
      this.items.set(item.code, item);
      this.csvNames.set(item.code, csvField(item.name));
    }
    for (const row of CITY_OVERRIDES) this.cityRows.set(`${row.itemCode}|${row.cityCode}`, row);
    const relate = (a: string, b: string): void => {
      if (!this.conflicts.has(a)) this.conflicts.set(a, new Set());
      this.conflicts.get(a)!.add(b);
    };
    for (const row of [...CATALOG_ITEMS.map((i) => ({ itemCode: i.code, includes: i.includes })), ...CITY_OVERRIDES]) {
      for (const component of row.includes) {
        relate(row.itemCode, component);
        relate(component, row.itemCode);
      }
    }
  }

  item(code: string): CatalogItem {
    const found = this.items.get(code);
    if (!found) throw new Error(`unknown catalog item ${code}`);
    return found;
  }

  /** The row in force for an institution or person in county `regionCode`. */
  effective(code: string, regionCode: string): CatalogLimits {
    return this.cityRows.get(`${code}|${regionCode.slice(0, 4)}00`) ?? this.item(code);
  }

  /** What an honest institution in `regionCode` charges: the cap in force, or the list price. */
  priceFen(code: string, regionCode: string): number {
    return this.effective(code, regionCode).maxUnitPriceFen ?? this.item(code).listPriceFen;
  }

  /** True when charging `code` on a day that already has `chargedCodes` would bill a bundle and its part. */
  conflictsWith(code: string, chargedCodes: ReadonlySet<string>): boolean {
    const related = this.conflicts.get(code);
    if (!related) return false;
    for (const other of related) if (chargedCodes.has(other)) return true;
    return false;
  }

  /** price_catalog.csv rows: every item at province level, then the city overrides. */
  *rows(): Generator<string[]> {
    const format = (itemCode: string, region: string, limits: CatalogLimits): string[] => {
      const item = this.item(itemCode);
      return [
        itemCode,
        item.kind,
        this.csvNames.get(itemCode)!,
        region,
        limits.maxUnitPriceFen === null ? '' : formatFen(limits.maxUnitPriceFen),
        limits.maxDailyQuantity === null ? '' : String(limits.maxDailyQuantity),
        limits.maxMonthlyQuantity === null ? '' : String(limits.maxMonthlyQuantity),
        limits.includes.join('|'),
      ];
    };
    for (const item of CATALOG_ITEMS) yield format(item.code, PROVINCE.code, item);
    for (const row of CITY_OVERRIDES) yield format(row.itemCode, row.cityCode, row);
  }
}

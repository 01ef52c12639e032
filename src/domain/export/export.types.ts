import { Field, InputType, ObjectType } from 'type-graphql';
import { ExportFormatEnum, ExportListEnum } from '../../graphql/enums';
import type { ExportFormat, ExportListName } from './export.service';

export type ExportListValue = keyof typeof ExportListEnum;
export type ExportFormatValue = keyof typeof ExportFormatEnum;

/** The GraphQL enum values and the names of the lists in the export URLs. */
export const EXPORT_LIST_NAMES: Record<ExportListValue, ExportListName> = {
  CLUES: 'clues',
  CASES: 'cases',
  HITS: 'hits',
  PROBLEMS: 'problems',
  STATS: 'stats',
};
export const EXPORT_FORMATS: Record<ExportFormatValue, ExportFormat> = { CSV: 'csv', XLSX: 'xlsx' };

@InputType('CreateExportLinkInput', { description: '导出链接的请求 (export link request)：清单、格式和筛选条件。' })
export class CreateExportLinkInput {
  @Field(() => ExportListEnum, { description: '要导出的清单 (list)。' })
  list: ExportListValue;

  @Field(() => ExportFormatEnum, { description: '文件格式 (format)：CSV 或 XLSX。' })
  format: ExportFormatValue;

  @Field(() => String, {
    nullable: true,
    description:
      "The list's filter as JSON text, exactly as the list's filter variable (ClueFilter, CaseFilter, CollisionHitFilter, ProblemFilter; for STATS the arguments of supervisionStats).",
  })
  filter?: string | null;
}

@ObjectType('ExportLink', { description: 'A single-use download link of an export (docs/READING.md, "Exports").' })
export class ExportLinkType {
  @Field({ description: 'Path of the download on this API (GET, no header needed): /export/download/<token>.' })
  url: string;

  @Field(() => Date, { description: 'The link works once, until then.' })
  expiresAt: Date;
}

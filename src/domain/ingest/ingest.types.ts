import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/relay';

import type { IngestFileRow } from './ingest.repository';

/** One attempt to load one file of a batch (数据归集记录). */
@ObjectType('IngestFile', {
  description:
    '数据归集记录 (ingest file)：一次载入一批数据中一个文件的尝试。数据归集记录: one attempt to load one file of a batch.',
})
export class IngestFileType {
  @Field(() => ID, { description: '记录编号（日志序号，不是全局编号，不能用于 node）。' })
  id: string;

  @Field({ description: '批次目录 (batch path)：服务器上的绝对路径。' })
  batchPath: string;

  @Field({ description: '文件名，如 settlements.csv（见 DATA-DICTIONARY.md）。' })
  fileName: string;

  @Field({ description: '文件校验和 (checksum)：SHA-256，十六进制。SHA-256 of the file, hex.' })
  checksum: string;

  @Field({
    description:
      '载入状态：LOADING (in progress, or interrupted: nothing kept), LOADED, SKIPPED (same file already loaded) or FAILED.',
  })
  status: string;

  @Field(() => Int, { description: '读取的数据行数 (read)。' })
  read: number;

  @Field(() => Int, { description: '新载入的行数 (loaded)。' })
  loaded: number;

  @Field(() => Int, { description: '校验不通过被拒绝的行数 (rejected)，或与已有记录同键不同内容的行。' })
  rejected: number;

  @Field(() => Int, { description: '与已载入记录完全相同、跳过的行数 (duplicates)。' })
  duplicates: number;

  @Field({ description: '开始时间。' })
  startedAt: Date;

  @Field(() => Date, { nullable: true, description: '结束时间；载入中为 null。' })
  finishedAt: Date | null;

  @Field(() => String, { nullable: true, description: '失败原因 (FAILED 时)。' })
  error: string | null;

  static fromRow(row: IngestFileRow): IngestFileType {
    return Object.assign(new IngestFileType(), {
      id: String(row.id),
      batchPath: row.batch_path,
      fileName: row.file_name,
      checksum: row.checksum,
      status: row.status,
      read: row.read_rows,
      loaded: row.loaded_rows,
      rejected: row.rejected_rows,
      duplicates: row.duplicate_rows,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: row.error,
    });
  }
}

export const IngestFileConnection = ConnectionType(IngestFileType, 'IngestFile');
export type IngestFileConnection = InstanceType<typeof IngestFileConnection>;

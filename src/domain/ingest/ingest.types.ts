import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/relay';

import type { IngestFileRow } from './ingest.repository';

/** One attempt to load one file of a batch (数据归集记录). */
@ObjectType('IngestFile', { description: '数据归集记录: one attempt to load one file of a batch.' })
export class IngestFileType {
  @Field(() => ID)
  id: string;

  @Field()
  batchPath: string;

  @Field()
  fileName: string;

  @Field({ description: 'SHA-256 of the file, hex.' })
  checksum: string;

  @Field({
    description:
      'LOADING (in progress, or interrupted: nothing kept), LOADED, SKIPPED (same file already loaded) or FAILED.',
  })
  status: string;

  @Field(() => Int)
  read: number;

  @Field(() => Int)
  loaded: number;

  @Field(() => Int)
  rejected: number;

  @Field(() => Int)
  duplicates: number;

  @Field()
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => String, { nullable: true })
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

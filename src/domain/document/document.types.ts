import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { SanctionKindEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { MeasureInput } from '../problem/problem.types';
import { DocumentKind, DOCUMENT_KINDS } from './document.machine';
import { DocumentRow, NoticeEntryRow } from './document.repository';

const enumOf = <K extends string>(labels: Record<K, string>) =>
  Object.fromEntries(Object.keys(labels).map((k) => [k, k])) as Record<K, K>;
const valuesConfig = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, label]) => [k, { description: label }]));

export const DocumentKindEnum = enumOf(DOCUMENT_KINDS);
registerEnumType(DocumentKindEnum, {
  name: 'DocumentKind',
  description: '文书种类 (document kind)',
  valuesConfig: valuesConfig(DOCUMENT_KINDS),
});

@ObjectType('NoticeEntry', { description: "One case as a 通报 shows it: persons' names masked (张*)." })
export class NoticeEntryType {
  @Field({ description: '案件编号。The case code.' })
  caseCode: string;

  @Field(() => String, {
    nullable: true,
    description: "案件第一条线索的机构名称，如有。The institution of the case's first clue, if any.",
  })
  institutionName: string | null;

  @Field(() => [String], { description: 'Surname and one * per remaining character (张三丰 → 张**).' })
  maskedPersonNames: string[];

  @Field({ description: "发文时的案件名称。The case's title at issue." })
  summary: string;

  @Field(() => [SanctionKindEnum], {
    description: '发文时已作出的处理处罚种类。The kinds of sanction decided, at issue.',
  })
  sanctions: string[];

  static from(row: NoticeEntryRow): NoticeEntryType {
    return Object.assign(new NoticeEntryType(), {
      caseCode: row.case_code,
      institutionName: row.institution_name,
      maskedPersonNames: row.masked_person_names,
      summary: row.summary,
      sanctions: row.sanctions,
    });
  }
}

@ObjectType('Document', {
  implements: Node,
  description:
    '文书 (document)：文号按发文单位和年度唯一。文书: issued with a 文号 unique per issuing department and year.',
})
export class DocumentType extends Node {
  readonly __typename = 'Document';

  row: DocumentRow;

  @Field(() => DocumentKindEnum, { description: '文书种类。' })
  kind: DocumentKind;

  @Field({ description: '文号 (document number): <prefix>〔YYYY〕N号, e.g. 宝纪建〔2026〕3号.' })
  number: string;

  @Field({ description: '标题。' })
  title: string;

  @Field({ description: '正文 (body)。' })
  body: string;

  @Field({ description: '发文时间 (issued at)。' })
  issuedAt: Date;

  static from(row: DocumentRow): DocumentType {
    return Object.assign(new DocumentType(), {
      id: toGlobalId('Document', row.id),
      row,
      kind: row.kind,
      number: row.number,
      title: row.title,
      body: row.body,
      issuedAt: row.issued_at,
    });
  }
}

@ObjectType('DocumentConnection', { description: '文书分页列表 (Document connection)。' })
export class DocumentConnection extends ConnectionType(DocumentType, 'Document') {}

@InputType('DocumentFilter', { description: '文书筛选 (document filter)：各条件同时满足。' })
export class DocumentFilter {
  @Field(() => DocumentKindEnum, { nullable: true, description: '文书种类。' })
  kind?: DocumentKind | null;

  @Field(() => ID, { nullable: true, description: '发文单位的全局编号。' })
  issuerDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: '发给此单位的文书。Documents addressed to this department.' })
  recipientDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: '专项行动的文书。Documents of this campaign.' })
  campaignId?: string | null;
}

@InputType('IssueDocumentInput', { description: '发文 (issue document) 的输入。' })
export class IssueDocumentInput {
  @Field(() => DocumentKindEnum, { description: 'DISCIPLINE_RECOMMENDATION: issued by 纪委 only.' })
  kind: DocumentKind;

  @Field({ description: '标题。' })
  title: string;

  @Field({ description: '正文。' })
  body: string;

  @Field(() => [ID], {
    description: "收文单位的全局编号。Departments of the issuer's province; at least one except for a 通报.",
  })
  recipientDepartmentIds: string[];

  @Field(() => [ID], {
    nullable: true,
    description: 'Cases it concerns (a 通报 lists them: at least one); visible to me.',
  })
  caseIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: '涉及的问题，须可见。Problems it concerns; visible to me.' })
  problemIds?: string[] | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The campaign (专项行动) this document belongs to: one I see and am a member of (any phase).',
  })
  campaignId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: '所属督办事项，须可见。The supervision item it belongs to; visible to me.',
  })
  supervisionItemId?: string | null;

  @Field(() => [MeasureInput], {
    nullable: true,
    description:
      "整改要求：建议书、工作建议函的要求，成为每个收文单位的问题。A recommendation's requested measures (DISCIPLINE_RECOMMENDATION, WORK_SUGGESTION): they become a problem of each recipient.",
  })
  measures?: MeasureInput[] | null;
}

/**
 * 文书 (PRODUCT.md §9 "Documents"): who issues what, the 文号 `<prefix>〔YYYY〕N号` gap-free
 * under concurrency (20 parallel issues), recipients notified, links, a recommendation's
 * measures as a problem of each recipient, a 通报's masked entries readable by every user of
 * its region, the other kinds by issuer, recipients and 纪委 of the jurisdiction; audit.
 */
import { toGlobalId } from '../../src/core/ids';
import { maskPersonName } from '../../src/domain/document/document.machine';
import { shanghaiDate } from '../../src/domain/reference/working-days';
import { AsUser, asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, insertCase, insertClue, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

const DOC = `id kind number title body issuedAt issuer { id kind } recipients { id kind }
  cases { id } problems { id source responsibleDepartment { id } supervisingDepartment { id } measures { description } }
  supervisionItem { id }
  noticeEntries { caseCode institutionName maskedPersonNames summary sanctions }`;
const ISSUE = `mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { ${DOC} } }`;
const LIST = `query($f: DocumentFilter) { documents(filter: $f, first: 100) { totalCount edges { node { id number } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Document { id number } } }`;

const year = shanghaiDate(new Date()).slice(0, 4);
const inDays = (days: number) => shanghaiDate(new Date(Date.now() + days * 86_400_000));

describe('documents', () => {
  let t: TestApi;
  let gql: AsUser;
  let dept: (kind: string, region: string) => Promise<string>;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    dept = async (kind, region) => toGlobalId('Department', await departmentIdOf(t.services, kind, region));
  });
  afterAll(() => t.close());

  it('masks names: surname and one * per remaining character', () => {
    expect(maskPersonName('张三')).toBe('张*');
    expect(maskPersonName('张三丰')).toBe('张**');
    expect(maskPersonName('欧阳娜娜')).toBe('欧***');
    expect(maskPersonName('张')).toBe('*');
  });

  it('issues a 纪检监察建议书 (纪委 only): 文号, recipients notified, measures → a problem per recipient, audit', async () => {
    const wj = await dept('HEALTH', '610302');
    const yb = await dept('MEDICAL_INSURANCE', '610302');
    const input = {
      kind: 'DISCIPLINE_RECOMMENDATION',
      title: '关于加强医保基金监管的纪检监察建议书',
      body: '建议如下……',
      recipientDepartmentIds: [wj, yb],
      measures: [{ description: '建立院内医保费用审核制度', deadline: inDays(30) }],
    };
    expect(code(await gql('yb-610300-leader', ISSUE, { i: input }))).toBe('FORBIDDEN');
    expect(code(await gql('jw-610300-investigator', ISSUE, { i: input }))).toBe('FORBIDDEN');
    const doc = data(await gql('jw-610300-leader', ISSUE, { i: input })).issueDocument;
    expect(doc.number).toBe(`宝纪建〔${year}〕1号`);
    expect(doc.issuer.kind).toBe('DISCIPLINE');
    expect(doc.recipients.map((r: { id: string }) => r.id).sort()).toEqual([wj, yb].sort());
    expect(doc.problems).toHaveLength(2);
    for (const p of doc.problems) {
      expect(p.source).toBe('SUPERVISION');
      expect(p.supervisingDepartment.id).toBe(doc.issuer.id);
      expect(p.measures).toEqual([{ description: '建立院内医保费用审核制度' }]);
    }
    expect(
      doc.problems.map((p: { responsibleDepartment: { id: string } }) => p.responsibleDepartment.id).sort(),
    ).toEqual([wj, yb].sort());
    const notes = data(
      await gql('wj-610302-analyst', `{ notifications(first: 50) { edges { node { kind targetId } } } }`),
    ).notifications.edges.map((e: { node: unknown }) => e.node);
    expect(notes).toContainEqual({ kind: 'DOCUMENT_RECEIVED', targetId: doc.id });
    const [audit] = await t.services.db.query(`SELECT action, detail FROM audit_log WHERE target_id = $1`, [doc.id]);
    expect(audit).toMatchObject({ action: 'Document.ISSUE', detail: { number: doc.number } });
    // A second one of the same kind: N + 1; another kind starts its own series.
    expect(data(await gql('jw-610300-supervisor', ISSUE, { i: input })).issueDocument.number).toBe(
      `宝纪建〔${year}〕2号`,
    );
    const letter = data(
      await gql('yb-610302-supervisor', ISSUE, {
        i: { kind: 'WORK_SUGGESTION', title: '工作建议', body: '……', recipientDepartmentIds: [wj] },
      }),
    ).issueDocument;
    expect(letter.number).toBe(`渭医保函〔${year}〕1号`);
    expect(letter.problems).toEqual([]);
  });

  it('numbers 20 parallel issues 1..20: no gap, no duplicate', async () => {
    const wj = await dept('HEALTH', '610303');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gql('yb-610303-leader', ISSUE, {
          i: {
            kind: 'SUPERVISION_NOTICE',
            title: `督办通知${i}`,
            body: '请于期限内办结',
            recipientDepartmentIds: [wj],
          },
        }),
      ),
    );
    const numbers = results.map((r) => data(r).issueDocument.number as string);
    const ns = numbers.map((n) => Number(/〕(\d+)号$/.exec(n)?.[1])).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.every((n) => n.startsWith(`金医保督〔${year}〕`))).toBe(true);
  });

  it('validates: links visible to the issuer, recipients, measures only on recommendations, no campaigns yet', async () => {
    const wj = await dept('HEALTH', '610302');
    const base = { kind: 'WORK_SUGGESTION', title: 't', body: 'b', recipientDepartmentIds: [wj] };
    expect(code(await gql('yb-610302-leader', ISSUE, { i: { ...base, recipientDepartmentIds: [] } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      code(
        await gql('yb-610302-leader', ISSUE, {
          i: { ...base, kind: 'INTERVIEW_RECORD', measures: [{ description: 'x', deadline: inDays(3) }] },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    const hidden = await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610402' });
    expect(code(await gql('yb-610302-leader', ISSUE, { i: { ...base, caseIds: [toGlobalId('Case', hidden)] } }))).toBe(
      'NOT_FOUND',
    );
    expect(code(await gql('yb-610302-leader', ISSUE, { i: { ...base, campaignId: toGlobalId('Case', hidden) } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await gql('yb-610302-leader', ISSUE, { i: { ...base, kind: 'PUBLIC_NOTICE' } }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('a 通报 lists its cases with masked names and sanctions, readable by every user of the issuer region', async () => {
    const clue = await insertClue(t.services, { ownerKind: 'DISCIPLINE', ownerRegion: '610300', regionCode: '610302' });
    await t.services.db.query(`UPDATE clue SET institution_code = 'H610302001' WHERE id = $1`, [clue]);
    await t.services.db.query(
      `INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, 'P1', 'SUBJECT'), ($1, 'P2', 'EVIDENCE')`,
      [clue],
    );
    const kase = await insertCase(t.services, {
      ownerKind: 'DISCIPLINE',
      ownerRegion: '610300',
      clueIds: [clue],
      title: '某医院套取医保基金案',
    });
    await t.services.db.query(
      `INSERT INTO sanction (case_id, kind, person_id, institution_code, amount)
       VALUES ($1, 'PARTY_DISCIPLINE', 'P1', NULL, NULL), ($1, 'FUND_RECOVERY', NULL, 'H610302001', 1000)`,
      [kase],
    );
    const notice = data(
      await gql('jw-610300-leader', ISSUE, {
        i: {
          kind: 'PUBLIC_NOTICE',
          title: '关于典型案例的通报',
          body: '现将典型案例通报如下',
          recipientDepartmentIds: [],
          caseIds: [toGlobalId('Case', kase)],
        },
      }),
    ).issueDocument;
    expect(notice.number).toBe(`宝纪通〔${year}〕1号`);
    expect(notice.noticeEntries).toEqual([
      {
        caseCode: expect.stringMatching(/^AJ-FIX-/),
        institutionName: '渭滨区人民医院',
        maskedPersonNames: ['公****', '参***'].sort(),
        summary: '某医院套取医保基金案',
        sanctions: ['FUND_RECOVERY', 'PARTY_DISCIPLINE'],
      },
    ]);
    // Every user of 宝鸡 and below, whatever the agency and role; nobody outside.
    for (const who of ['ga-610302-investigator', 'wj-610303-analyst', 'yb-610300-admin', 'jw-610300-investigator']) {
      expect(data(await gql(who, NODE, { id: notice.id })).node).toEqual({ id: notice.id, number: notice.number });
    }
    for (const who of ['ga-610402-leader', 'yb-610000-leader']) {
      expect(data(await gql(who, NODE, { id: notice.id })).node).toBeNull();
    }
    // The case itself stays hidden from whoever may not see it.
    const seen = data(
      await gql('ga-610302-investigator', `query($id: ID!) { node(id: $id) { ... on Document { cases { id } } } }`, {
        id: notice.id,
      }),
    ).node;
    expect(seen.cases).toEqual([]);
  });

  it('other kinds: issuer, recipients and 纪委 of the jurisdiction read them; filters', async () => {
    const wj = await dept('HEALTH', '610302');
    const doc = data(
      await gql('yb-610302-leader', ISSUE, {
        i: { kind: 'INTERVIEW_RECORD', title: '约谈记录', body: '……', recipientDepartmentIds: [wj] },
      }),
    ).issueDocument;
    const sees = async (who: string) =>
      data(await gql(who, LIST, { f: { kind: 'INTERVIEW_RECORD' } })).documents.edges.some(
        (e: { node: { id: string } }) => e.node.id === doc.id,
      );
    for (const who of ['yb-610302-analyst', 'wj-610302-investigator', 'jw-610300-investigator', 'jw-610302-leader']) {
      expect(await sees(who)).toBe(true);
    }
    for (const who of ['ga-610302-leader', 'wj-610303-leader', 'jw-610400-leader', 'yb-610302-admin']) {
      expect(await sees(who)).toBe(false);
    }
    const byIssuer = data(
      await gql('wj-610302-investigator', LIST, { f: { issuerDepartmentId: doc.issuer.id, kind: 'INTERVIEW_RECORD' } }),
    ).documents;
    expect(byIssuer.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([doc.id]);
    expect(rowId(doc.id)).toBeTruthy();
  });

  it('caseGraph reaches documents from their cases and departments', async () => {
    const kase = await insertCase(t.services, { ownerKind: 'DISCIPLINE', ownerRegion: '610300', title: '图谱案件' });
    const caseId = toGlobalId('Case', kase);
    const wj = await dept('HEALTH', '610302');
    const doc = data(
      await gql('jw-610300-leader', ISSUE, {
        i: { kind: 'SUPERVISION_NOTICE', title: '督办', body: '……', recipientDepartmentIds: [wj], caseIds: [caseId] },
      }),
    ).issueDocument;
    const GRAPH = `query($id: ID!) { caseGraph(rootId: $id, depth: 1) { nodes { id type label } edges { from to kind } } }`;
    const g = data(await gql('jw-610300-investigator', GRAPH, { id: caseId })).caseGraph;
    expect(g.nodes).toContainEqual({ id: doc.id, type: 'Document', label: `${doc.number} 督办` });
    expect(g.edges).toContainEqual({ from: doc.id, to: caseId, kind: 'DOCUMENT' });
    const fromDoc = data(await gql('jw-610300-investigator', GRAPH, { id: doc.id })).caseGraph;
    expect(fromDoc.edges).toEqual(
      expect.arrayContaining([
        { from: doc.id, to: doc.issuer.id, kind: 'ISSUER' },
        { from: doc.id, to: wj, kind: 'RECIPIENT' },
      ]),
    );
  });
});

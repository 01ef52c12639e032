import { join } from 'node:path';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

const SETTLEMENT = `query($id: String!) {
  settlement(settlementId: $id) {
    settlementId visitType admitDate dischargeDate settledAt diagnosisCode totalAmount fundAmount selfAmount
    person { personId name maskedIdNumber }
    institution { code name }
    items { lineNo itemCode itemKind itemName quantity unitPrice amount chargedOn traceCode }
  }
}`;

describe('ingest: GraphQL reads', () => {
  let t: TestApi;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    await ingestBatch(t.services, join(__dirname, '..', 'fixtures', 'ingest', 'valid'));
    for (const user of [
      'yb-610300-investigator',
      'yb-610100-investigator',
      'jw-610000-leader',
      'ga-610300-investigator',
      'yb-610300-analyst',
      'yb-610300-admin',
      'wj-610300-admin',
    ]) {
      tokens[user] = await t.login(user);
    }
  });
  afterAll(() => t.close());

  it('a settlement of an institution in my jurisdiction, with its person, institution and items', async () => {
    const res = await t.gql(SETTLEMENT, { id: 'S001' }, tokens['yb-610300-investigator']);
    expect(res.errors).toBeUndefined();
    expect(res.data.settlement).toEqual({
      settlementId: 'S001',
      visitType: 'INPATIENT',
      admitDate: '2025-03-01',
      dischargeDate: '2025-03-05',
      settledAt: '2025-03-05T08:20:00.000Z',
      diagnosisCode: 'J18.9',
      totalAmount: '1200.00',
      fundAmount: '960.00',
      selfAmount: '240.00',
      person: { personId: 'P001', name: '张三', maskedIdNumber: '610302********0016' },
      institution: { code: 'H610302001', name: '宝鸡市渭滨区人民医院' },
      items: [
        expect.objectContaining({
          lineNo: 1,
          itemKind: 'BED',
          quantity: 4,
          unitPrice: '50.00',
          amount: '200.00',
          chargedOn: '2025-03-04',
        }),
        expect.objectContaining({ lineNo: 2, itemKind: 'EXAM', amount: '180.00' }),
        expect.objectContaining({
          lineNo: 3,
          itemName: '阿莫西林胶囊\n(0.25g×24粒)',
          unitPrice: '12.33',
          amount: '37.00',
        }),
      ],
    });
  });

  it('is null outside my jurisdiction, for the police, and for unknown ids', async () => {
    const read = async (user: string, id: string) => (await t.gql(SETTLEMENT, { id }, tokens[user])).data?.settlement;
    expect(await read('yb-610100-investigator', 'S001')).toBeNull();
    expect((await read('yb-610100-investigator', 'S004')).institution.code).toBe('H610102001');
    expect((await read('jw-610000-leader', 'S001')).settlementId).toBe('S001');
    expect(await read('ga-610300-investigator', 'S001')).toBeNull();
    expect(await read('yb-610300-admin', 'S001')).toBeNull();
    expect(await read('yb-610300-investigator', 'S999')).toBeNull();
  });

  it('ingestFiles: the ingest log for 医保 analysts and administrators, newest first, paginated', async () => {
    const query = `query($after: String) { ingestFiles(first: 3, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { fileName status read loaded rejected duplicates checksum } } } }`;
    const page1 = await t.gql(query, {}, tokens['yb-610300-analyst']);
    expect(page1.errors).toBeUndefined();
    expect(page1.data.ingestFiles.totalCount).toBe(8);
    expect(page1.data.ingestFiles.edges.map((e: any) => e.node.fileName)).toEqual([
      'drug_purchases.csv',
      'settlement_items.csv',
      'settlements.csv',
    ]);
    expect(page1.data.ingestFiles.edges[1].node).toMatchObject({
      status: 'LOADED',
      read: 5,
      loaded: 5,
      rejected: 0,
      duplicates: 0,
    });
    const page2 = await t.gql(query, { after: page1.data.ingestFiles.pageInfo.endCursor }, tokens['yb-610300-admin']);
    expect(page2.data.ingestFiles.edges.map((e: any) => e.node.fileName)).toEqual([
      'price_catalog.csv',
      'relations.csv',
      'persons.csv',
    ]);
    for (const user of ['yb-610300-investigator', 'wj-610300-admin']) {
      expect(code(await t.gql(query, {}, tokens[user]))).toBe('FORBIDDEN');
    }
  });
});

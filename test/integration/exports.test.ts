/**
 * 导出 (src/domain/export, src/http/export.route.ts): the clue, case, hit and problem lists and
 * the statistics as CSV and XLSX, under the lists' visibility, persons' names masked for those
 * who may not read personal data, every export audited with its filter and row count.
 */
import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { toGlobalId } from '../../src/core/ids';
import { openExport } from '../../src/domain/export/export.service';
import { csvWriter } from '../../src/domain/export/export.writers';
import { Actor } from '../../src/policy';
import { asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import {
  departmentIdOf,
  insertCase,
  insertClue,
  seedWorkflowFixtures,
  tokenSource,
} from '../support/workflow-fixtures';

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF), without the byte-order mark. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function xlsxRows(body: ArrayBuffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body);
  const sheet = workbook.worksheets[0];
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    rows.push(values.map((v) => (v === null || v === undefined ? '' : String(v))));
  });
  return rows;
}

describe('exports', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  let base: string;
  const ids: Record<string, string> = {};

  /** One export request; GET with the filter in the query, or POST with it in the body. */
  async function exportOf(
    username: string | null,
    file: string,
    filter?: unknown,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<Response> {
    const headers: Record<string, string> = username ? { authorization: `Bearer ${await token(username)}` } : {};
    if (method === 'GET') {
      const query = filter === undefined ? '' : `?filter=${encodeURIComponent(JSON.stringify(filter))}`;
      return fetch(`${base}/export/${file}${query}`, { headers });
    }
    return fetch(`${base}/export/${file}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(filter === undefined ? {} : { filter }),
    });
  }

  async function csvOf(username: string, file: string, filter?: unknown): Promise<string[][]> {
    const res = await exportOf(username, file, filter);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    return parseCsv(await res.text());
  }

  async function xlsxOf(username: string, file: string, filter?: unknown): Promise<string[][]> {
    const res = await exportOf(username, file, filter);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    return xlsxRows(await res.arrayBuffer());
  }

  const lastExport = async () =>
    (
      await t.services.db.query(
        `SELECT a.detail, u.username FROM audit_log a JOIN app_user u ON u.id = a.actor_id
         WHERE a.action = 'export' ORDER BY a.at DESC, a.id DESC LIMIT 1`,
      )
    )[0] as { detail: Record<string, unknown>; username: string };

  beforeAll(async () => {
    t = await startTestApi();
    base = t.api.url.replace(/\/graphql$/, '');
    token = tokenSource(t.services);
    await seedWorkflowFixtures(t.services);
    await t.services.db.query(
      `INSERT INTO person (person_id, name, region_code, is_public_official) VALUES ('P9', '张三', '610302', false)`,
    );
    // 渭滨区 (610302) and 金台区 (610303): counties of 宝鸡, each with a clue, a case, a hit and a problem.
    ids.clue302 = await insertClue(t.services, {
      ownerKind: 'MEDICAL_INSURANCE',
      ownerRegion: '610302',
      title: '渭滨线索',
      amount: '1234.50',
    });
    ids.clue303 = await insertClue(t.services, {
      ownerKind: 'MEDICAL_INSURANCE',
      ownerRegion: '610303',
      title: '金台线索',
    });
    await t.services.db.query(`UPDATE clue SET institution_code = 'H610302001' WHERE id = $1`, [ids.clue302]);
    await t.services.db.query(
      `INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, 'P9', 'SUBJECT'), ($1, 'P2', 'EVIDENCE'),
         ($2, 'P4', 'SUBJECT')`,
      [ids.clue302, ids.clue303],
    );
    ids.case302 = await insertCase(t.services, {
      ownerKind: 'MEDICAL_INSURANCE',
      ownerRegion: '610302',
      title: '渭滨案件',
      clueIds: [ids.clue302],
    });
    ids.case303 = await insertCase(t.services, {
      ownerKind: 'MEDICAL_INSURANCE',
      ownerRegion: '610303',
      title: '金台案件',
      clueIds: [ids.clue303],
    });
    const [run] = await t.services.db.query(
      `INSERT INTO collision_run (models, from_date, to_date, status, parameters)
       VALUES ('{OVER_PRICE}', '2025-03-01', '2025-03-31', 'SUCCEEDED', '{}') RETURNING id`,
    );
    ids.run = run.id;
    for (const [region, institution, clue, persons] of [
      ['610302', 'H610302001', ids.clue302, ['P9', 'P2']],
      ['610303', 'H610303001', ids.clue303, ['P4']],
    ] as const) {
      await t.services.db.query(
        `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
           first_run_id, last_run_id, clue_id)
         VALUES ('OVER_PRICE', $1, 88.80, $2, $3, $4, '{S1,S2}', $5, $5, $6)`,
        [`exp-${region}`, institution, region, persons, ids.run, clue],
      );
    }
    for (const region of ['610302', '610303']) {
      const dept = await departmentIdOf(t.services, 'MEDICAL_INSURANCE', region);
      await t.services.db.query(
        `INSERT INTO problem (code, source, category, description, amount, institution_code, responsible_department_id,
                              supervising_department_id, region_code, status)
         VALUES ($1, 'AUDIT', '超标准收费', $2, 500, NULL, $3, $3, $4, 'OPEN')`,
        [`WT-EXP-${region}`, `问题,"${region}"`, dept, region],
      );
    }
  });
  afterAll(() => t.close());

  const HEADERS = {
    'clues.csv': [
      '线索编号',
      '标题',
      '来源',
      '状态',
      '碰撞模型',
      '定点机构编码',
      '定点机构名称',
      '行政区划代码',
      '涉及金额(元)',
      '承办部门',
      '涉及人员',
      '登记时间',
      '分办时间',
      '办结时间',
      '追回金额(元)',
    ],
    'cases.csv': [
      '案件编号',
      '案件名称',
      '状态',
      '承办部门',
      '行政区划代码',
      '关联线索',
      '涉及人员',
      '立案时间',
      '结案时间',
    ],
    'hits.csv': [
      '碰撞模型',
      '定点机构编码',
      '定点机构名称',
      '行政区划代码',
      '涉及金额(元)',
      '涉及人员',
      '结算笔数',
      '核查结论',
      '确认金额(元)',
      '发现时间',
      '核查时间',
    ],
    'problems.csv': [
      '问题编号',
      '来源',
      '问题类别',
      '问题描述',
      '涉及金额(元)',
      '定点机构编码',
      '定点机构名称',
      '整改责任单位',
      '督促整改单位',
      '行政区划代码',
      '状态',
      '列入时间',
      '销号时间',
    ],
  };

  it('exports each list as CSV with Chinese headers, only the rows the county user sees', async () => {
    const user = 'yb-610302-investigator';
    const clues = await csvOf(user, 'clues.csv');
    expect(clues[0]).toEqual(HEADERS['clues.csv']);
    expect(clues.slice(1).map((r) => r[1])).toEqual(['渭滨线索']);
    const [clue] = clues.slice(1);
    expect(clue[2]).toBe('监督检查');
    expect(clue[3]).toBe('已分办');
    expect(clue[6]).toBe('渭滨区人民医院');
    expect(clue[8]).toBe('1234.50');
    expect(clue[10]).toBe('张三、参保人乙');
    expect(clue[11]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const cases = await csvOf(user, 'cases.csv');
    expect(cases[0]).toEqual(HEADERS['cases.csv']);
    expect(cases.slice(1).map((r) => [r[1], r[2], r[5], r[6].split('、').sort().join('、')])).toEqual([
      ['渭滨案件', '立案', 'XS-FIX-' + process.pid + '-1', ['参保人乙', '张三'].sort().join('、')],
    ]);

    const hits = await csvOf(user, 'hits.csv');
    expect(hits[0]).toEqual(HEADERS['hits.csv']);
    expect(hits.slice(1).map((r) => [r[1], r[4], r[5], r[6], r[7]])).toEqual([
      ['H610302001', '88.80', '张三、参保人乙', '2', '待核查'],
    ]);

    const problems = await csvOf(user, 'problems.csv');
    expect(problems[0]).toEqual(HEADERS['problems.csv']);
    // A description with a comma and quotes survives the quoting.
    expect(problems.slice(1).map((r) => [r[0], r[3], r[4], r[10]])).toEqual([
      ['WT-EXP-610302', '问题,"610302"', '500.00', '整改中'],
    ]);
  });

  it('exports each list as XLSX with the same headers and rows', async () => {
    const user = 'yb-610302-investigator';
    for (const list of ['clues', 'cases', 'hits', 'problems'] as const) {
      const rows = await xlsxOf(user, `${list}.xlsx`);
      expect(rows[0]).toEqual(HEADERS[`${list}.csv`]);
      const csv = await csvOf(user, `${list}.csv`);
      expect(rows.length).toBe(csv.length);
    }
    const clues = await xlsxOf(user, 'clues.xlsx');
    expect(clues[1][1]).toBe('渭滨线索');
    expect(clues[1][8]).toBe('1234.5'); // a number cell, shown with two decimals
  });

  it('gives a city user the rows of both counties, and the list filter narrows them (GET and POST alike)', async () => {
    const city = 'yb-610300-investigator';
    expect(
      (await csvOf(city, 'clues.csv'))
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['渭滨线索', '金台线索']);
    const filtered = await exportOf(city, 'clues.csv', { regionCode: '610303' }, 'GET');
    expect(
      parseCsv(await filtered.text())
        .slice(1)
        .map((r) => r[1]),
    ).toEqual(['金台线索']);
    const hits = await csvOf(city, 'hits.csv', { runId: toGlobalId('CollisionRun', ids.run), regionCode: '610302' });
    expect(hits.slice(1).map((r) => r[1])).toEqual(['H610302001']);
    // The hits list's clue filter takes a global id, as in GraphQL (it reached SQL undecoded).
    const ofClue = await csvOf(city, 'hits.csv', { clueId: toGlobalId('Clue', ids.clue303) });
    expect(ofClue.slice(1).map((r) => r[1])).toEqual(['H610303001']);
    const problems = await csvOf(city, 'problems.csv', { status: ['CLOSED'] });
    expect(problems).toHaveLength(1); // the header alone
  });

  it('masks persons’ names (张*) for a user who may not read personal data', async () => {
    const analyst = 'yb-610302-analyst';
    const clues = await csvOf(analyst, 'clues.csv');
    expect(clues[1][10]).toBe('张*、参***');
    const hits = await xlsxOf(analyst, 'hits.xlsx');
    expect(hits[1][5]).toBe('张*、参***');
    const cases = await csvOf(analyst, 'cases.csv');
    expect(cases[1][6].split('、').sort()).toEqual(['参***', '张*'].sort());
    expect((await lastExport()).detail).toMatchObject({ list: 'cases', personNames: 'masked' });
  });

  it('audits every export with the user, list, format, filter and row count', async () => {
    const filter = { regionCode: '610302', status: ['ASSIGNED'] };
    await csvOf('yb-610300-investigator', 'clues.csv', filter);
    const entry = await lastExport();
    expect(entry.username).toBe('yb-610300-investigator');
    expect(entry.detail).toMatchObject({
      list: 'clues',
      format: 'csv',
      filter,
      rows: 1,
      total: 1,
      completed: true,
      personNames: 'full',
    });
  });

  it('refuses a bad filter with 400 BAD_USER_INPUT naming the field, before any file is sent', async () => {
    const user = 'yb-610302-investigator';
    for (const [file, filter] of [
      ['clues.csv', { status: ['NOPE'] }],
      ['cases.xlsx', { unknownField: 1 }],
      ['problems.csv', { overdue: 'yes' }],
      ['clues.csv', { createdFrom: '2025-02-30' }],
      ['stats.csv', { regionCode: '610302' }],
    ] as const) {
      const res = await exportOf(user, file, filter);
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter' });
      expect(body.errors[0].message).toMatch(/^invalid filter: filter/);
    }
    const notJson = await fetch(`${base}/export/clues.csv?filter=%7Bnope`, {
      headers: { authorization: `Bearer ${await token(user)}` },
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badId = await exportOf(user, 'clues.csv', { ownerDepartmentId: 'not-an-id' });
    expect(badId.status).toBe(400);
  });

  it('answers 401 without a token, 404 for an unknown list or format, 403 (audited) for statistics outside the jurisdiction', async () => {
    expect((await exportOf(null, 'clues.csv')).status).toBe(401);
    expect((await exportOf('yb-610302-investigator', 'transfers.csv')).status).toBe(404);
    expect((await exportOf('yb-610302-investigator', 'clues.pdf')).status).toBe(404);
    const denied = await exportOf('yb-610302-leader', 'stats.csv', {
      regionCode: '610303',
      from: '2025-01-01',
      to: '2025-12-31',
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const [entry] = await t.services.db.query(
      `SELECT detail FROM audit_log WHERE action = 'denied' AND detail->>'field' = 'export.stats'`,
    );
    expect(entry.detail.args.filter).toEqual({ regionCode: '610303', from: '2025-01-01', to: '2025-12-31' });
  });

  it('exports the statistics: totals, departments and months', async () => {
    const year = new Date().getFullYear();
    const filter = { regionCode: '610300', from: `${year}-01-01`, to: `${year}-12-31` };
    const rows = await csvOf('yb-610300-leader', 'stats.csv', filter);
    expect(rows[0].slice(0, 3)).toEqual(['统计维度', '名称', '收到线索']);
    expect(rows[1][0]).toBe('合计');
    expect(rows.filter((r) => r[0] === '月份')).toHaveLength(12);
    expect(rows.some((r) => r[0] === '部门')).toBe(true);
    const xlsx = await xlsxOf('yb-610300-leader', 'stats.xlsx', filter);
    expect(xlsx.length).toBe(rows.length);
    expect((await lastExport()).detail).toMatchObject({ list: 'stats', filter, rows: rows.length - 1 });
  });

  it('streams a big export page by page: every row once, newest first, the filter kept across pages', async () => {
    // 21,000 more clues of 渭滨 (the export reads 10,000 per page), half of them above the amount filter.
    await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id, created_at)
       SELECT 'XS-BIG-' || lpad(g::text, 6, '0'), '批量线索' || g, 'INSPECTION', 'ASSIGNED', '610302',
              CASE WHEN g % 2 = 0 THEN 5000 ELSE 10 END, (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610302'),
              now() - g * interval '1 second'
       FROM generate_series(1, 21000) g`,
    );
    const res = await exportOf('yb-610302-investigator', 'clues.csv', { minAmount: '1000' });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('x-export-total')).toBe('10501');
    const rows = parseCsv(await res.text()).slice(1);
    expect(rows).toHaveLength(10501);
    const big = rows.filter((r) => r[0].startsWith('XS-BIG-')).map((r) => r[0]);
    expect(big).toHaveLength(10500);
    expect(new Set(big).size).toBe(10500);
    expect(big).toEqual([...big].sort()); // newest first: created 1 s, 2 s, … ago
    expect((await lastExport()).detail).toMatchObject({ list: 'clues', rows: 10501, completed: true });

    const xlsx = await xlsxOf('yb-610302-investigator', 'clues.xlsx', { minAmount: '1000' });
    expect(xlsx).toHaveLength(10502);
  });

  it('audits an export whose client goes away as not completed, with the rows written so far', async () => {
    const [user] = await t.services.db.query(
      `SELECT u.id, d.id AS department_id FROM app_user u JOIN department d ON d.id = u.department_id
       WHERE u.username = 'yb-610302-investigator'`,
    );
    const actor: Actor = {
      userId: user.id,
      username: 'yb-610302-investigator',
      roles: ['INVESTIGATOR'],
      department: { id: user.department_id, kind: 'MEDICAL_INSURANCE', regionCode: '610302', regionLevel: 'COUNTY' },
    };
    await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id)
       SELECT 'XS-GONE-' || g, '中断线索' || g, 'INSPECTION', 'ASSIGNED', '610302', 1,
              (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610302')
       FROM generate_series(1, 150) g`,
    );
    // A destination that hangs up at the first chunk it is given (a client gone).
    const out = new Writable({
      write() {
        out.destroy();
      },
    });
    const opened = await openExport(t.services, actor, { list: 'clues', format: 'csv', filter: {} }, { pageSize: 100 });
    await expect(opened.writeTo(csvWriter(out))).rejects.toThrow(/closed/);
    expect((await lastExport()).detail).toMatchObject({ list: 'clues', rows: 100, completed: false });
  });

  it('hands out a single-use download link (createExportLink) that works without the header, as its user', async () => {
    const gql = asUsers(t);
    const mutation = `mutation($input: CreateExportLinkInput!) { createExportLink(input: $input) { url expiresAt } }`;
    const analyst = await gql('yb-610302-analyst', mutation, {
      input: { list: 'CLUES', format: 'CSV', filter: JSON.stringify({ regionCode: '610302', status: ['ASSIGNED'] }) },
    });
    const { url, expiresAt } = data(analyst).createExportLink;
    expect(url).toMatch(/^\/export\/download\/[\w-]+$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const res = await fetch(`${base}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''%E7%BA%BF%E7%B4%A2%E6%B8%85%E5%8D%95-");
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(HEADERS['clues.csv']);
    // The link's user is the analyst: names masked, the export audited as theirs with the filter.
    expect(rows.find((r) => r[1] === '渭滨线索')?.[10]).toBe('张*、参***');
    expect(await lastExport()).toMatchObject({
      username: 'yb-610302-analyst',
      detail: { list: 'clues', filter: { regionCode: '610302', status: ['ASSIGNED'] }, personNames: 'masked' },
    });
    // Once only.
    const again = await fetch(`${base}${url}`);
    expect(again.status).toBe(404);
    expect(((await again.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    // A bad filter is refused when the link is asked for.
    const bad = await gql('yb-610302-analyst', mutation, {
      input: { list: 'PROBLEMS', format: 'XLSX', filter: JSON.stringify({ status: ['NOPE'] }) },
    });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const notJson = await gql('yb-610302-analyst', mutation, { input: { list: 'HITS', format: 'CSV', filter: '{' } });
    expect(code(notJson)).toBe('BAD_USER_INPUT');
    const [audited] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'mutation.createExportLink'`,
    );
    expect(audited.n).toBeGreaterThanOrEqual(1);
  });
});

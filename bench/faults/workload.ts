/**
 * The fault campaign's steady workload: virtual users of the counties' 医保 (two per
 * department, so that they race for the same clues), 公安 receivers and analysts, over the two
 * API processes. Every mutation a client sent is written to the ledger with what the client
 * saw: `ok`, `error` (a GraphQL error answer, with its code) or `network` (no answer: the
 * outcome is unknown to the client and is settled from the database afterwards).
 */
import { toGlobalId } from '../../src/core/ids';

export type Outcome = 'ok' | 'error' | 'network';

export const MUTATIONS = [
  'startVerification',
  'verifyHits',
  'requestTransfer',
  'acceptTransfer',
  'registerClue',
  'concludeVerification',
  'createProblem',
  'submitMeasure',
  'acceptMeasure',
  'closeProblem',
  'createRule',
  'updateRule',
  'createCampaign',
  'advanceCampaign',
  'recordSelfCheck',
] as const;

export interface LedgerEntry {
  op: (typeof MUTATIONS)[number];
  username: string;
  /**
   * What the change is recognised by afterwards: the row id of the clue (startVerification,
   * verifyHits, requestTransfer, concludeVerification), transfer (acceptTransfer), measure
   * (submitMeasure, acceptMeasure) or problem (closeProblem); the unique title of a registered
   * clue, the unique description of a created problem, the rule id (createRule, updateRule),
   * the unique name of a created campaign, `<campaign row id>:<phase reached>` (advanceCampaign),
   * the unique findings of a self-check report.
   */
  entityId: string;
  hitIds?: string[];
  toDepartmentId?: string;
  outcome: Outcome;
  code?: string;
  /** The error's message, when the outcome is `error`. */
  message?: string;
  at: number;
}

export interface Counters {
  reads: Record<string, Record<Outcome | string, number>>;
  mutations: Record<string, Record<Outcome | string, number>>;
  /** Every 5xx answer: what was asked and what came back. */
  fivexx: { op: string; status: number; code?: string; message?: string; at: number }[];
  /** Every answer with an INTERNAL_SERVER_ERROR (any status): the first 50. */
  internal?: { op: string; status?: number; message?: string; at: number }[];
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const fromGlobal = (id: string) => Buffer.from(id, 'base64url').toString('utf8').split(':').slice(1).join(':');

export class Client {
  private tokens = new Map<string, string>();
  constructor(
    private readonly ports: () => number[],
    private readonly password: string,
    private readonly rng: Rng,
  ) {}

  /** One request to a random API process; `network` when no answer came. */
  async send(
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<{ outcome: Outcome; data?: any; code?: string; status?: number; message?: string }> {
    const port = pick(this.rng, this.ports());
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json().catch(() => null)) as { data?: any; errors?: any[] } | null;
      if (!body) return { outcome: 'network', status: res.status };
      if (body.errors?.length) {
        return {
          outcome: 'error',
          code: body.errors[0]?.extensions?.code ?? 'UNKNOWN',
          message: String(body.errors[0]?.message ?? ''),
          status: res.status,
        };
      }
      return { outcome: 'ok', data: body.data, status: res.status };
    } catch {
      return { outcome: 'network' };
    }
  }

  async token(username: string): Promise<string | null> {
    const known = this.tokens.get(username);
    if (known) return known;
    const r = await this.send('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
      u: username,
      p: this.password,
    });
    if (r.outcome !== 'ok') return null;
    this.tokens.set(username, r.data.login.token);
    return r.data.login.token;
  }
}

export interface County {
  region: string;
  /** Global id of the county's 医保, whose clues its users work on. */
  insuranceId: string;
  /** Global id of the county's 公安. */
  policeId: string;
  /** Global id of the county's 卫健, which rectifies the problems found in its hospitals. */
  healthId: string;
  /** Code of an institution of the county, named by the clues its users register. */
  institutionCode: string;
}

/**
 * Runs until `stop()` says so: each 医保 user lists its department's ASSIGNED clues, starts
 * verification of one (racing its colleague: VERSION_CONFLICT or INVALID_TRANSITION for the
 * loser), confirms its hits, and transfers some to 公安, whose investigator accepts; everyone
 * reads lists, details, graphs, statistics and notifications in between. 5xx answers are
 * counted: there must be none.
 */
export async function runWorkload(
  client: Client,
  counties: County[],
  rng: Rng,
  stop: () => boolean,
  ledger: LedgerEntry[],
  counters: Counters,
): Promise<void> {
  const count = (kind: 'reads' | 'mutations', op: string, outcome: string) => {
    const row = (counters[kind][op] ??= { ok: 0, error: 0, network: 0 } as Record<Outcome, number>);
    (row as Record<string, number>)[outcome] = ((row as Record<string, number>)[outcome] ?? 0) + 1;
  };
  const read = async (username: string, op: string, query: string, variables: Record<string, unknown> = {}) => {
    const token = await client.token(username);
    if (!token) return null;
    const r = await client.send(query, variables, token);
    count('reads', op, r.outcome);
    if (r.outcome === 'error') count('reads', op, `error:${r.code}`);
    if (r.code === 'INTERNAL_SERVER_ERROR' && (counters.internal ??= []).length < 50) {
      counters.internal.push({ op, status: r.status, message: r.message, at: Date.now() });
    }
    if ((r.status ?? 200) >= 500) {
      count('reads', op, '5xx');
      counters.fivexx.push({ op, status: r.status!, code: r.code, message: r.message, at: Date.now() });
    }
    return r.outcome === 'ok' ? r.data : null;
  };
  const mutate = async (
    entry: Omit<LedgerEntry, 'outcome' | 'at' | 'code' | 'message'>,
    query: string,
    variables: object,
  ) => {
    const token = await client.token(entry.username);
    if (!token) return null;
    const at = Date.now();
    const r = await client.send(query, variables as Record<string, unknown>, token);
    ledger.push({
      ...entry,
      outcome: r.outcome,
      code: r.code,
      ...(r.outcome === 'error' ? { message: r.message } : {}),
      at,
    });
    count('mutations', entry.op, r.outcome);
    if (r.outcome === 'error') count('mutations', entry.op, `error:${r.code}`);
    if (r.code === 'INTERNAL_SERVER_ERROR' && (counters.internal ??= []).length < 50) {
      counters.internal.push({ op: entry.op, status: r.status, message: r.message, at: Date.now() });
    }
    if ((r.status ?? 200) >= 500) {
      count('mutations', entry.op, '5xx');
      counters.fivexx.push({ op: entry.op, status: r.status!, code: r.code, message: r.message, at: Date.now() });
    }
    return r;
  };

  const insuranceUser = async (county: County, username: string) => {
    while (!stop()) {
      const list = await read(
        username,
        'clues',
        `query($d: ID!) { clues(filter: { status: [ASSIGNED], ownerDepartmentId: $d }, first: 10) {
          edges { node { id version } } } }`,
        { d: county.insuranceId },
      );
      const edges: { node: { id: string; version: number } }[] = list?.clues.edges ?? [];
      if (!edges.length || rng() < 0.15) await registerClue(county, username);
      if (!edges.length) {
        await sleep(500);
        continue;
      }
      const clue = pick(rng, edges).node;
      const clueId = fromGlobal(clue.id);
      await read(
        username,
        'clue',
        `query($id: ID!) { node(id: $id) { ... on Clue { id code status owner { name } } } }`,
        {
          id: clue.id,
        },
      );
      const started = await mutate(
        { op: 'startVerification', username, entityId: clueId },
        'mutation($id: ID!, $v: Int) { startVerification(clueId: $id, expectedVersion: $v) { id version } }',
        { id: clue.id, v: clue.version },
      );
      if (started?.outcome !== 'ok') continue;
      const hits = await read(
        username,
        'clueHits',
        `query($id: ID!) { node(id: $id) { ... on Clue { hits(first: 50) { edges { node { id } } } } } }`,
        { id: clue.id },
      );
      const hitIds: string[] = (hits?.node?.hits.edges ?? []).map((e: { node: { id: string } }) => e.node.id);
      if (hitIds.length) {
        await mutate(
          { op: 'verifyHits', username, entityId: clueId, hitIds: hitIds.map(fromGlobal) },
          'mutation($ids: [ID!]!) { verifyHits(input: { hitIds: $ids, outcome: CONFIRMED }) { __typename } }',
          { ids: hitIds },
        );
      }
      await read(username, 'caseGraph', 'query($id: ID!) { caseGraph(rootId: $id, depth: 2) { truncated } }', {
        id: clue.id,
      });
      if (hitIds.length && rng() < 0.4) {
        await outcomeLoop(county, username, clue.id);
      } else if (rng() < 0.5) {
        await mutate(
          { op: 'requestTransfer', username, entityId: clueId, toDepartmentId: fromGlobal(county.policeId) },
          `mutation($i: RequestTransferInput!) { requestTransfer(input: $i) { id } }`,
          { i: { clueId: clue.id, toDepartmentId: county.policeId, reason: '涉嫌欺诈骗保（故障演练）' } },
        );
      }
      // Statistics are for leaders and analysts: the county's leader looks (an investigator is FORBIDDEN).
      await read(
        `yb-${county.region}-leader`,
        'stats',
        `query($r: String!) { supervisionStats(regionCode: $r, from: "2025-01-01", to: "2026-12-31") { casesFiled clearedRate } }`,
        { r: county.region },
      );
    }
  };

  let serial = 0;
  const marker = (username: string) => `故障演练 ${username} #${(serial += 1)} ${Math.floor(rng() * 1e9)}`;

  /** 举报登记: a fresh clue of the county's institution, routed by the workers like any other. */
  const registerClue = async (county: County, username: string) => {
    const title = marker(username);
    await mutate(
      { op: 'registerClue', username, entityId: title },
      'mutation($i: RegisterClueInput!) { registerClue(input: $i) { id } }',
      {
        i: {
          title,
          description: '群众举报：疑似虚构诊疗项目（故障演练）',
          source: 'PETITION',
          institutionCode: county.institutionCode,
          amountInvolved: `${100 + Math.floor(rng() * 900)}.50`,
        },
      },
    );
  };

  /**
   * The outcome loop of a verified clue (PRODUCT.md §9): 初核属实, a problem listed for 卫健 with
   * one measure, 卫健 submits it, 医保 accepts it, 医保's leader closes the problem (销号).
   */
  const outcomeLoop = async (county: County, username: string, clueGlobalId: string) => {
    const clueId = fromGlobal(clueGlobalId);
    const concluded = await mutate(
      { op: 'concludeVerification', username, entityId: clueId },
      'mutation($id: ID!) { concludeVerification(clueId: $id, substantiated: true, findings: "经初核，问题属实（故障演练）") { id } }',
      { id: clueGlobalId },
    );
    if (concluded?.outcome !== 'ok') return;
    const description = marker(username);
    const created = await mutate(
      { op: 'createProblem', username, entityId: description },
      'mutation($i: CreateProblemInput!) { createProblem(input: $i) { id measures { id } } }',
      {
        i: {
          source: 'CLUE',
          clueId: clueGlobalId,
          category: '违规收费',
          description,
          responsibleDepartmentId: county.healthId,
          measures: [{ description: '退回违规费用并整改收费行为', deadline: '2027-06-30' }],
        },
      },
    );
    if (created?.outcome !== 'ok') return;
    const problemId: string = created.data.createProblem.id;
    const health = `wj-${county.region}-investigator`;
    for (const m of created.data.createProblem.measures as { id: string }[]) {
      const submitted = await mutate(
        { op: 'submitMeasure', username: health, entityId: fromGlobal(m.id) },
        'mutation($id: ID!) { submitMeasure(measureId: $id, report: "已整改，附退款凭证") { id } }',
        { id: m.id },
      );
      if (submitted?.outcome !== 'ok') return;
      const accepted = await mutate(
        { op: 'acceptMeasure', username, entityId: fromGlobal(m.id) },
        'mutation($id: ID!) { acceptMeasure(measureId: $id, note: "验收通过") { id } }',
        { id: m.id },
      );
      if (accepted?.outcome !== 'ok') return;
    }
    await read(username, 'problems', 'query { problems(first: 10) { totalCount edges { node { id status } } } }');
    await mutate(
      { op: 'closeProblem', username: `yb-${county.region}-leader`, entityId: fromGlobal(problemId) },
      'mutation($id: ID!) { closeProblem(problemId: $id, note: "整改到位，予以销号") { id } }',
      { id: problemId },
    );
  };

  /**
   * 规则库: the county's analyst keeps rules as data — creates one (effective in the future, so
   * the campaign's runs, over the 16 models, are not changed by it) and updates it.
   */
  const analystUser = async (county: County) => {
    const username = `yb-${county.region}-analyst`;
    let n = 0;
    while (!stop()) {
      n += 1;
      const ruleId = `F${county.region}-${n}-${Math.floor(rng() * 1e6)}`;
      const input = {
        ruleId,
        ruleClass: 'SEX',
        itemCode: `FAULT${n}`,
        regionCode: county.region,
        effectiveFrom: '2030-01-01',
        gender: 'F',
        description: '妇科检查限女性（故障演练）',
      };
      const created = await mutate(
        { op: 'createRule', username, entityId: ruleId },
        'mutation($i: RuleInput!) { createRule(input: $i) { id version } }',
        { i: input },
      );
      if (created?.outcome === 'ok') {
        await mutate(
          { op: 'updateRule', username, entityId: ruleId },
          'mutation($i: RuleInput!) { updateRule(input: $i, expectedVersion: 1) { id version } }',
          { i: { ...input, description: '妇科检查限女性（故障演练，已修订）' } },
        );
      }
      await read(username, 'rules', 'query { rules(first: 20) { totalCount edges { node { id ruleId } } } }');
      await sleep(1500);
    }
  };

  /**
   * 专项治理: the county's 医保 leader launches a campaign with 卫健 on one institution, moves it
   * through its phases; its investigator records the institution's self-check report (自查自纠).
   */
  const campaignUser = async (county: County) => {
    const leader = `yb-${county.region}-leader`;
    const investigator = `yb-${county.region}-investigator`;
    const phases = ['SELF_CHECK', 'INSPECTION', 'CONSOLIDATION', 'CLOSED'];
    while (!stop()) {
      const name = marker(leader);
      const created = await mutate(
        { op: 'createCampaign', username: leader, entityId: name },
        'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id version } }',
        {
          i: {
            name,
            regionCode: county.region,
            participantDepartmentIds: [county.insuranceId, county.healthId],
            scopeFrom: '2025-03-01',
            scopeTo: '2025-03-31',
            targetInstitutionCodes: [county.institutionCode],
          },
        },
      );
      if (created?.outcome !== 'ok') {
        await sleep(1000);
        continue;
      }
      const id: string = created.data.createCampaign.id;
      for (const phase of phases) {
        if (stop()) break;
        const advanced = await mutate(
          { op: 'advanceCampaign', username: leader, entityId: `${fromGlobal(id)}:${phase}` },
          'mutation($id: ID!) { advanceCampaign(campaignId: $id) { id phase } }',
          { id },
        );
        if (advanced?.outcome !== 'ok') break;
        if (phase === 'SELF_CHECK') {
          const findings = marker(investigator);
          await mutate(
            { op: 'recordSelfCheck', username: investigator, entityId: findings },
            'mutation($i: RecordSelfCheckInput!) { recordSelfCheck(input: $i) { id } }',
            {
              i: {
                campaignId: id,
                institutionCode: county.institutionCode,
                findings,
                voluntaryRefund: `${1000 + Math.floor(rng() * 9000)}.00`,
                patientRefund: '120.50',
              },
            },
          );
        }
        await read(
          leader,
          'campaign',
          'query($id: ID!) { campaign(id: $id) { id phase figures { targetsCovered } } }',
          {
            id,
          },
        );
      }
      await sleep(2000);
    }
  };

  const policeUser = async (county: County) => {
    const username = `ga-${county.region}-investigator`;
    while (!stop()) {
      const list = await read(
        username,
        'transfers',
        `{ transfers(filter: { direction: INCOMING, status: [PENDING] }, first: 10) { edges { node { id } } } }`,
      );
      const edges: { node: { id: string } }[] = list?.transfers.edges ?? [];
      for (const e of edges) {
        if (stop()) break;
        await mutate(
          { op: 'acceptTransfer', username, entityId: fromGlobal(e.node.id) },
          'mutation($id: ID!) { acceptTransfer(transferId: $id) { id status } }',
          { id: e.node.id },
        );
      }
      await read(username, 'notifications', '{ notifications(first: 20) { totalCount edges { node { id } } } }');
      await sleep(300);
    }
  };

  await Promise.all(
    counties.flatMap((county) => [
      insuranceUser(county, `yb-${county.region}-investigator`),
      insuranceUser(county, `yb-${county.region}-supervisor`),
      policeUser(county),
      analystUser(county),
      campaignUser(county),
    ]),
  );
}

export const globalId = toGlobalId;

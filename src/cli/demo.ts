/**
 * npm run demo — everything for a first look, in one process: migrations, seed regions,
 * a synthetic batch with planted fraud (synth → ingest), departments and users for every
 * region, the API and the workers, a collision run whose clues are routed, the workflows
 * and the outcome loop walked once (demo-loop.ts, demo-outcomes.ts). Prints how to log in. DEMO_SCALE (default 1 ≈ 20k settlements) sizes the batch.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkers } from '../../workers';
import { startWorkerMetricsServer } from '../../workers/metrics';
import { createServices } from '../app';
import { runMigrations } from '../db/migrate';
import { findRun, runHitsByModel, startCollisionRun } from '../domain/collision/collision-run.service';
import { ingestBatch } from '../domain/ingest/ingest.service';
import { seedDepartmentsAndUsers, seedRegions } from '../domain/reference/seed.service';
import { startApiServer } from '../server';
import { generateSyntheticBatch } from '../synth/generator';
import { demoWorkflowLoop } from './demo-loop';
import { demoOutcomeLoop } from './demo-outcomes';
import { demoCampaign } from './demo-campaign';
import { cluesInState } from './demo.repository';
import { runCli } from './run';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };

runCli(async (config) => {
  const { password, demoScale: scale } = config.seed;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await runMigrations(config.databaseUrl);
  const services = await createServices(config, { applicationName: 'demo' });
  await seedRegions(services);

  const batch = join(tmpdir(), `fund-supervision-demo-${scale}`);
  // A batch cached before the rule library existed has no rules.csv: generate it again.
  if (!existsSync(join(batch, 'settlements.csv')) || !existsSync(join(batch, 'rules.csv'))) {
    say(`generating a synthetic batch (scale ${scale}) in ${batch} …`);
    await generateSyntheticBatch({ outDir: batch, scale, seed: 1, ...WINDOW, withExpectedHits: false });
  }
  const ingest = await ingestBatch(services, batch);
  say(`ingested: ${JSON.stringify(ingest)}`);
  const users = await seedDepartmentsAndUsers(services, password);
  const api = await startApiServer(services);
  const workers = await startWorkers(services);
  const workerMetrics = await startWorkerMetricsServer(services);

  const run = await startCollisionRun(services, WINDOW);
  let current = run;
  while (current.status === 'QUEUED' || current.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await findRun(services.db, run.id);
  }
  say(
    `collision run ${run.id}: ${current.status}, hits ${JSON.stringify(await runHitsByModel(services.db, run.id))}, clues created ${current.clues_created}`,
  );

  // Let routing place the new clues, then walk one transfer, one case and one supervision item,
  // and the outcome loop: a problem to 销号 and a 回头看 that finds the violation again.
  for (let i = 0; i < 60 && (await cluesInState(services.db, 'NEW')) > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const walk = await demoWorkflowLoop(services);
  for (const line of walk.lines) say(line);
  if (walk.filed) for (const line of await demoOutcomeLoop(services, walk.filed)) say(line);
  // A campaign (专项行动) through its phases: its collision run, a self-check refund, a joint
  // inspection, a 工作建议函 and a closing 通报 of the filed case.
  if (walk.filed) {
    const campaignWalk = await demoCampaign(services, walk.filed.clue.department_region, WINDOW, {
      noticeCaseIds: [walk.filed.caseId],
    });
    for (const line of campaignWalk) say(line);
  }

  // The rule library (RULES.md): rules.csv was loaded with the batch; its hits became clues like the models'.
  const [library] = await services.db.query(
    `SELECT (SELECT count(*)::int FROM rule WHERE current) AS rules,
            (SELECT count(*)::int FROM collision_hit WHERE model LIKE 'RULE\\_%') AS hits,
            (SELECT count(*)::int FROM clue WHERE model LIKE 'RULE\\_%') AS clues`,
  );
  say(
    `rule library: ${library.rules} rules from rules.csv, ${library.hits} rule hits became ${library.clues} clues, e.g.:`,
  );
  // One clue of each rule class.
  const examples = await services.db.query(
    `SELECT DISTINCT ON (c.model) c.code, c.title, c.status, count(h.id)::int AS hits,
            string_agg(DISTINCT (h.detail->>'ruleId') || ' ' || (h.detail->>'description'), '; ') AS rules
     FROM clue c JOIN collision_hit h ON h.clue_id = c.id
     WHERE c.model LIKE 'RULE\\_%' GROUP BY c.id ORDER BY c.model, count(h.id) DESC, c.code`,
  );
  for (const e of examples) say(`  ${e.code} ${e.title} [${e.status}] ${e.hits} hits — ${e.rules}`);
  say('  (GraphQL: { rules(first: 5) { edges { node { ruleId ruleClass description } } } },');
  say('   collisionHits(filter: {ruleId: "G-EXC"}) { edges { node { hitKey rule { description } } } })');

  const userExamples = users.filter(
    (u) => u.regionCode === '610300' && ['INVESTIGATOR', 'LEADER', 'ANALYST'].includes(u.roles[0]),
  );
  say(
    [
      '',
      `API: ${api.url}   (health: ${api.url.replace('/graphql', '/healthz')}, metrics: ${api.url.replace('/graphql', '/metrics')})`,
      `Queue dashboard (ADMIN users, e.g. yb-610000-admin): ${api.url.replace('/graphql', '/admin/queues')}` +
        (workerMetrics ? `   job metrics: ${workerMetrics.url}` : ''),
      `Users: ${users.length} — one per role and department of every region, password "${password}", e.g.:`,
      ...userExamples.map((u) => `  ${u.username.padEnd(28)} ${u.department} ${u.roles.join(',')}`),
      '',
      'Log in:',
      `  curl -s ${api.url} -H 'content-type: application/json' \\`,
      `    -d '{"query":"mutation { login(username: \\"yb-610000-leader\\", password: \\"${password}\\") { token } }"}'`,
      'Then send "Authorization: Bearer <token>", e.g. { clues(first: 5) { edges { node { code title status owner { name } amountInvolved } } } }.',
      'Ctrl-C stops the demo.',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await workers.close();
    await workerMetrics?.close();
    await api.stop();
    await services.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
});

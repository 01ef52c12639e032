/**
 * The demo's walk through the outcome loop (PRODUCT.md §9) after a case was filed from a
 * verified clue: a problem (问题清单) with two rectification measures that 卫健 rectifies and
 * 医保 accepts, 销号 by the leader — which schedules the 回头看 — then next months' claims
 * arrive with the same violation, the clock is moved to the recheck's day, and the recheck
 * finds the recurrence: the problem reopens and a RECHECK clue goes one level up. Prints what
 * a leader now sees. Everything runs through the same services as the API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppServices } from '../app';
import { MovableClock } from '../core/clock';
import { toGlobalId } from '../core/ids';
import { loadActor } from '../domain/auth/auth.service';
import { findRun } from '../domain/collision/collision-run.service';
import { DICTIONARY_COLUMNS } from '../domain/ingest/dictionary';
import { ingestBatch } from '../domain/ingest/ingest.service';
import { listNotifications } from '../domain/notification/notification.service';
import {
  acceptMeasure,
  closeProblem,
  createProblem,
  findVisibleProblem,
  measuresByProblemIds,
  rechecksByProblemIds,
  submitMeasure,
} from '../domain/problem/problem.service';
import { sweepRechecks } from '../domain/problem/recheck-runner';
import { supervisionStats } from '../domain/stats/stats.service';
import { csvField } from '../synth/csv';
import { shanghaiDate } from '../domain/reference/working-days';
import { DemoClue, departmentIdOf, settlementOfClue, userIdByUsername } from './demo.repository';

const day = (date: string, offset: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

/** Writes rows as a batch file with the columns the data dictionary declares for it. */
function writeBatchFile(folder: string, file: BatchFile, rows: Record<string, string | null | undefined>[]): void {
  const columns = DICTIONARY_COLUMNS[file];
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? '')).join(','))];
  writeFileSync(join(folder, file), `${lines.join('\n')}\n`);
}

type BatchFile = 'settlements.csv' | 'settlement_items.csv';

export async function demoOutcomeLoop(
  services: AppServices,
  filed: { caseId: string; caseCode: string; clue: DemoClue },
): Promise<string[]> {
  const lines: string[] = [];
  const region = filed.clue.department_region;
  const actor = async (username: string) => loadActor(services, await userIdByUsername(services.db, username));
  const investigator = await actor(`yb-${region}-investigator`);
  const leader = await actor(`yb-${region}-leader`);
  const health = await actor(`wj-${region}-investigator`);
  const today = shanghaiDate(new Date());

  // 问题清单: the case's finding, rectified by 卫健 (it manages the hospital), supervised by 医保.
  const problem = await createProblem(services, investigator, {
    source: 'CASE',
    category: '超标准收费',
    description: `${filed.caseCode}: 超标准收费，违规结算医保基金`,
    institutionCode: filed.clue.institution_code,
    responsibleDepartmentId: toGlobalId('Department', await departmentIdOf(services.db, 'HEALTH', region)),
    caseId: toGlobalId('Case', filed.caseId),
    clueId: toGlobalId('Clue', filed.clue.id),
    measures: [
      { description: '退回违规收费，清退多收金额', deadline: day(today, 30) },
      { description: '修订收费目录并开展全员培训', deadline: day(today, 60) },
    ],
  });
  const measures = await measuresByProblemIds(services.db, [problem.id]);
  for (const measure of measures) {
    await submitMeasure(
      services,
      health,
      toGlobalId('RectificationMeasure', measure.id),
      '已整改，附退款凭证与培训记录',
      [`evidence/${measure.id}.pdf`],
    );
    await acceptMeasure(services, investigator, toGlobalId('RectificationMeasure', measure.id), '现场验收通过');
  }
  await closeProblem(services, leader, toGlobalId('Problem', problem.id), '整改到位，予以销号');
  const [recheck] = await rechecksByProblemIds(services.db, [problem.id]);
  lines.push(
    `problem ${problem.code}: 2 measures submitted by 卫健 and accepted by 医保, 销号 by the leader; 回头看 due ${shanghaiDate(new Date(recheck.due_on))}`,
  );

  // Months later, claims of the same institution repeat the violation.
  const source = await settlementOfClue(services.db, filed.clue.id);
  if (!source) return [...lines, '(no settlement behind the clue: recheck walk skipped)'];
  const dueOn = shanghaiDate(new Date(recheck.due_on));
  const on = day(dueOn, -10);
  const folder = mkdtempSync(join(tmpdir(), 'fund-supervision-demo-recurrence-'));
  const id = `RECUR-${source.settlement.settlement_id}`.slice(0, 40);
  const s = source.settlement;
  // A stay keeps its length, ending on the day; other visits have no admission dates.
  writeBatchFile(folder, 'settlements.csv', [
    {
      ...s,
      settlement_id: id,
      admit_date: s.stay_days == null ? null : day(on, -Number(s.stay_days)),
      discharge_date: s.stay_days == null ? null : on,
      settled_at: `${on}T10:00:00+08:00`,
      payee_account: null,
    },
  ]);
  writeBatchFile(
    folder,
    'settlement_items.csv',
    source.items.map((i) => ({ ...i, settlement_id: id, charged_on: on, trace_code: null })),
  );
  const loaded = await ingestBatch(services, folder);
  lines.push(`claims of ${on} loaded for ${s.institution_code}: ${JSON.stringify(loaded)}`);

  // The recheck's day: move the application's clock there, and let the sweep run it.
  const clock = services.clock;
  services.clock = new MovableClock(`${dueOn}T09:00:00+08:00`);
  try {
    await sweepRechecks(services);
    const [started] = await rechecksByProblemIds(services.db, [problem.id]);
    for (let i = 0; started.run_id && i < 240; i++) {
      const run = await findRun(services.db, started.run_id);
      if (run.status === 'SUCCEEDED' || run.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await sweepRechecks(services);
  } finally {
    services.clock = clock;
  }
  const [judged] = await rechecksByProblemIds(services.db, [problem.id]);
  const reopened = await findVisibleProblem(services.db, leader, problem.id);
  lines.push(
    `回头看 of ${problem.code}: ${judged.status}, ${judged.new_hits} new hit(s), recommendation ${judged.recommendation ?? '—'}; problem now ${reopened.status}` +
      (judged.clue_id ? `; RECHECK clue ${toGlobalId('Clue', judged.clue_id)} routed one level up` : ''),
  );

  // What the leader sees now.
  const stats = await supervisionStats(services.db, leader, region, day(today, -400), day(dueOn, 1));
  const inbox = await listNotifications(services, leader, true, 5, null);
  lines.push(
    `leader yb-${region}-leader sees: hits ${stats.hitsVerified}/${stats.hitsTotal} verified (清零率 ${stats.clearedRate == null ? '—' : `${(stats.clearedRate * 100).toFixed(1)}%`}), ` +
      `problems found ${stats.problemsFound} / closed ${stats.problemsClosed}, rechecks passed ${stats.rechecksPassed} / recurred ${stats.rechecksRecurred}, ` +
      `线索转化率 ${stats.clueToCaseRate == null ? '—' : `${(stats.clueToCaseRate * 100).toFixed(1)}%`}; ${inbox.totalCount} unread notification(s)` +
      (inbox.edges[0] ? `, newest: 「${inbox.edges[0].node.message}」` : ''),
  );
  return lines;
}

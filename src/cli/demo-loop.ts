/**
 * The demo's walk through the workflows after a collision run: a routed 医保 clue is
 * verified and transferred to 公安, who accept it; another has its hits verified (疑点核查:
 * all but one confirmed, one excluded as a data error), is substantiated and filed as a case;
 * a leader puts the case under supervision (挂牌督办). Runs through the same services as the
 * API, as the seeded users. Returns what it did, and the filed case for the outcome walk.
 */
import { AppServices } from '../app';
import { toGlobalId } from '../core/ids';
import { loadActor } from '../domain/auth/auth.service';
import { openCase } from '../domain/case/case.service';
import { concludeVerification, startVerification } from '../domain/clue/clue.service';
import { verifyHits } from '../domain/collision/hit-verification.service';
import { createSupervisionItem } from '../domain/supervision/supervision.service';
import { acceptTransfer, requestTransfer } from '../domain/transfer/transfer.service';
import { DemoClue, departmentIdOf, hitIdsOfClue, routedInsuranceClues, userIdByUsername } from './demo.repository';

export interface DemoWalk {
  lines: string[];
  filed: { caseId: string; caseCode: string; clue: DemoClue } | null;
}

export async function demoWorkflowLoop(services: AppServices): Promise<DemoWalk> {
  const clues = await routedInsuranceClues(services.db, 'OVER_PRICE', 2);
  if (clues.length < 2) return { lines: ['(fewer than two routed 医保 clues: workflow walk skipped)'], filed: null };
  const [toFile, toTransfer] = clues;
  const actor = async (username: string) => loadActor(services, await userIdByUsername(services.db, username));
  const lines: string[] = [];

  const investigator = await actor(`yb-${toTransfer.department_region}-investigator`);
  await startVerification(services, investigator, toTransfer.id);
  const transfer = await requestTransfer(services, investigator, {
    clueId: toGlobalId('Clue', toTransfer.id),
    toDepartmentId: toGlobalId(
      'Department',
      await departmentIdOf(services.db, 'PUBLIC_SECURITY', toTransfer.department_region),
    ),
    reason: '涉嫌欺诈骗保, 移送公安机关',
  });
  const officer = await actor(`ga-${toTransfer.department_region}-investigator`);
  await acceptTransfer(services, officer, toGlobalId('ClueTransfer', transfer.id));
  lines.push(
    `clue ${toTransfer.code}: verified by 医保, transferred to 公安 and accepted (transfer ${toGlobalId('ClueTransfer', transfer.id)})`,
  );

  const owner = await actor(`yb-${toFile.department_region}-investigator`);
  await startVerification(services, owner, toFile.id);
  const hits = await hitIdsOfClue(services.db, toFile.id);
  const excluded = hits.length > 1 ? hits.slice(-1) : [];
  const confirmed = hits.slice(0, hits.length - excluded.length);
  if (confirmed.length) await verifyHits(services, owner, { hitIds: confirmed, outcome: 'CONFIRMED' });
  if (excluded.length) {
    await verifyHits(services, owner, {
      hitIds: excluded,
      outcome: 'EXCLUDED',
      exclusionReason: 'DATA_ERROR',
      note: '核对原始单据，系录入错误',
    });
  }
  lines.push(
    `clue ${toFile.code}: 疑点核查 — ${confirmed.length} hit(s) confirmed, ${excluded.length} excluded (数据错误), 清零`,
  );
  await concludeVerification(services, owner, toFile.id, true, '经初核, 问题属实');
  const filed = await openCase(services, owner, {
    clueIds: [toGlobalId('Clue', toFile.id)],
    title: `${toFile.code} 立案调查`,
  });
  const leader = await actor(`yb-${toFile.department_region}-leader`);
  const item = await createSupervisionItem(services, leader, {
    kind: 'LISTED_SUPERVISION',
    title: `挂牌督办 ${filed.code}`,
    caseId: toGlobalId('Case', filed.id),
    assignedToDepartmentId: toGlobalId('Department', owner.department.id),
    deadline: new Date(Date.now() + 30 * 86_400_000),
  });
  lines.push(
    `clue ${toFile.code}: substantiated and filed as case ${filed.code}, under supervision ${toGlobalId('SupervisionItem', item.id)}`,
  );
  return { lines, filed: { caseId: filed.id, caseCode: filed.code, clue: toFile } };
}

/**
 * The demo's walk through the workflows after a collision run: a routed 医保 clue is
 * verified and transferred to 公安, who accept it; another is substantiated and filed as a
 * case; a leader puts the case under supervision (挂牌督办). Runs through the same services
 * as the API, as the seeded users.
 */
import { AppServices } from '../app';
import { openCase } from '../domain/case/case.service';
import { concludeVerification, startVerification } from '../domain/clue/clue.service';
import { createSupervisionItem } from '../domain/supervision/supervision.service';
import { acceptTransfer, requestTransfer } from '../domain/transfer/transfer.service';
import { loadActor } from '../domain/auth/auth.service';
import { toGlobalId } from '../core/ids';

const userId = async (services: AppServices, username: string): Promise<string> =>
  (await services.db.query('SELECT id FROM app_user WHERE username = $1', [username]))[0].id;

export async function demoWorkflowLoop(services: AppServices): Promise<string[]> {
  const clues: { id: string; code: string; region_code: string; department_region: string }[] = await services.db.query(
    `SELECT c.id, c.code, c.region_code, d.region_code AS department_region FROM clue c
     JOIN department d ON d.id = c.owner_department_id
     WHERE c.status = 'ASSIGNED' AND d.kind = 'MEDICAL_INSURANCE' ORDER BY c.amount_involved DESC, c.code LIMIT 2`,
  );
  if (clues.length < 2) return ['(fewer than two routed 医保 clues: workflow walk skipped)'];
  const [toTransfer, toFile] = clues;
  const lines: string[] = [];

  const investigator = await loadActor(
    services,
    await userId(services, `yb-${toTransfer.department_region}-investigator`),
  );
  await startVerification(services, investigator, toTransfer.id);
  const [police] = await services.db.query(
    `SELECT id FROM department WHERE kind = 'PUBLIC_SECURITY' AND region_code = $1`,
    [toTransfer.department_region],
  );
  const transfer = await requestTransfer(services, investigator, {
    clueId: toGlobalId('Clue', toTransfer.id),
    toDepartmentId: toGlobalId('Department', police.id),
    reason: '涉嫌欺诈骗保, 移送公安机关',
  });
  const officer = await loadActor(services, await userId(services, `ga-${toTransfer.department_region}-investigator`));
  await acceptTransfer(services, officer, toGlobalId('ClueTransfer', transfer.id));
  lines.push(
    `clue ${toTransfer.code}: verified by 医保, transferred to 公安 and accepted (transfer ${toGlobalId('ClueTransfer', transfer.id)})`,
  );

  const owner = await loadActor(services, await userId(services, `yb-${toFile.department_region}-investigator`));
  await startVerification(services, owner, toFile.id);
  await concludeVerification(services, owner, toFile.id, true, '经初核, 问题属实');
  const filed = await openCase(services, owner, {
    clueIds: [toGlobalId('Clue', toFile.id)],
    title: `${toFile.code} 立案调查`,
  });
  const leader = await loadActor(services, await userId(services, `yb-${toFile.department_region}-leader`));
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
  return lines;
}

/**
 * The demo's campaign (专项行动, PRODUCT.md §9): the county's 医保 leader deploys a campaign over
 * the demo's claims window with 卫健 and 纪委 taking part and every hospital and pharmacy of the
 * county as targets; it moves to 自查自纠, the 医保 analyst starts the campaign's collision run,
 * a 医保 investigator records the first target's self-check report (a voluntary refund, a refund to
 * patients and one problem for 卫健 to rectify), then 集中检查, 整改巩固 and closure. Prints the
 * campaign's figures. Everything runs through the same services as the API.
 */
import { AppServices } from '../app';
import { toGlobalId } from '../core/ids';
import { loadActor } from '../domain/auth/auth.service';
import {
  advanceCampaign,
  campaignFiguresByIds,
  campaignTargets,
  createCampaign,
  recordSelfCheck,
  startCampaignRun,
} from '../domain/campaign/campaign.service';
import { findRun } from '../domain/collision/collision-run.service';
import { shanghaiDate } from '../domain/reference/working-days';
import { departmentIdOf, userIdByUsername } from './demo.repository';

export async function demoCampaign(
  services: AppServices,
  region: string,
  window: { from: string; to: string },
  options: { models?: string[]; waitForRunMs?: number } = {},
): Promise<string[]> {
  const lines: string[] = [];
  const actor = async (username: string) => loadActor(services, await userIdByUsername(services.db, username));
  const leader = await actor(`yb-${region}-leader`);
  const analyst = await actor(`yb-${region}-analyst`);
  const investigator = await actor(`yb-${region}-investigator`);
  const dept = async (kind: string) => toGlobalId('Department', await departmentIdOf(services.db, kind, region));
  const health = await dept('HEALTH');

  const campaign = await createCampaign(services, leader, {
    name: '定点医药机构违法违规使用医保基金专项整治',
    regionCode: region,
    scopeFrom: window.from,
    scopeTo: window.to,
    participantDepartmentIds: [health, await dept('DISCIPLINE')],
    targetKinds: ['HOSPITAL', 'CLINIC', 'PHARMACY'],
  });
  const id = toGlobalId('Campaign', campaign.id);
  lines.push(
    `campaign ${campaign.code}「${campaign.name}」: ${campaign.target_count} target institution(s), scope ${window.from} … ${window.to}`,
  );
  await advanceCampaign(services, leader, id);

  const run = await startCampaignRun(services, analyst, id, options.models);
  let current = run;
  const until = Date.now() + (options.waitForRunMs ?? 120_000);
  while ((current.status === 'QUEUED' || current.status === 'RUNNING') && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await findRun(services.db, run.id);
  }
  lines.push(
    `campaign run ${toGlobalId('CollisionRun', run.id)}: ${current.status}, clues created ${current.clues_created}`,
  );

  const [target] = await campaignTargets(services.db, leader, campaign.id);
  const today = shanghaiDate(new Date());
  const deadline = new Date(Date.parse(`${today}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  const report = await recordSelfCheck(services, investigator, {
    campaignId: id,
    institutionCode: target,
    findings: '自查发现重复收费、串换项目收费，已主动退回并退还群众',
    voluntaryRefund: '38650.40',
    patientRefund: '1260.00',
    problems: [
      {
        source: 'SELF_CHECK',
        category: '串换项目收费',
        description: '自查发现将普通针刺串换为电针收费',
        responsibleDepartmentId: health,
        measures: [{ description: '停止串换收费并完善收费审核', deadline }],
      },
    ],
  });
  lines.push(
    `self-check report of ${target}: 主动退回 ${report.voluntary_refund}, 退还群众 ${report.patient_refund}, 1 SELF_CHECK problem for 卫健`,
  );
  for (let i = 0; i < 3; i++) await advanceCampaign(services, leader, id);
  const figures = (await campaignFiguresByIds(services.db, [campaign.id])).get(campaign.id)!;
  lines.push(
    `campaign ${campaign.code} CLOSED (自查自纠 → 集中检查 → 整改巩固 → 已结束): targets ${figures.targets}, hits ${figures.hits} ` +
      `(清零率 ${figures.clearedRate == null ? '—' : `${(figures.clearedRate * 100).toFixed(1)}%`}), problems ${figures.problemsFound} found / ` +
      `${figures.problemsClosed} closed, 主动退回 ${figures.voluntaryRefund}, 退还群众 ${figures.patientRefund}, recovered ${figures.amountRecovered}`,
  );
  return lines;
}

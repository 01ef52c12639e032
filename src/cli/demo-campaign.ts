/**
 * The demo's campaign (专项行动, PRODUCT.md §9): the county's 医保 leader deploys a campaign over
 * the demo's claims window with 卫健 and 纪委 taking part and every hospital and pharmacy of the
 * county as targets; it moves to 自查自纠, the 医保 analyst starts the campaign's collision run,
 * a 医保 investigator records the first target's self-check report (a voluntary refund, a refund to
 * patients and one problem for 卫健 to rectify); in 集中检查 a 联合检查 by a 医保 and 卫健 team reports
 * its findings (a problem of the campaign) and the leader sends 卫健 a 工作建议函 with a measure;
 * then 整改巩固, closure and a 通报 of the campaign's typical case (names masked). Prints the
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
import { issueDocument } from '../domain/document/document.service';
import { createInspection, transitionInspection } from '../domain/inspection/inspection.service';
import { shanghaiDate } from '../domain/reference/working-days';
import { departmentIdOf, userIdByUsername } from './demo.repository';

export async function demoCampaign(
  services: AppServices,
  region: string,
  window: { from: string; to: string },
  options: { models?: string[]; waitForRunMs?: number; noticeCaseIds?: string[] } = {},
): Promise<string[]> {
  const lines: string[] = [];
  const actor = async (username: string) => loadActor(services, await userIdByUsername(services.db, username));
  const leader = await actor(`yb-${region}-leader`);
  const analyst = await actor(`yb-${region}-analyst`);
  const investigator = await actor(`yb-${region}-investigator`);
  const healthInvestigator = await actor(`wj-${region}-investigator`);
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
  await advanceCampaign(services, leader, id); // 集中检查

  const inspection = await createInspection(services, leader, {
    kind: 'JOINT',
    institutionCode: target,
    campaignId: id,
    teamUserIds: [investigator.userId, healthInvestigator.userId].map((u) => toGlobalId('User', u)),
    plannedFrom: today,
    plannedTo: deadline,
  });
  const inspectionId = toGlobalId('Inspection', inspection.id);
  await transitionInspection(services, investigator, inspectionId, 'START', null);
  await transitionInspection(
    services,
    healthInvestigator,
    inspectionId,
    'REPORT',
    '现场检查发现分解住院 3 例、超标准收取护理费',
  );
  await transitionInspection(services, leader, inspectionId, 'CLOSE', null);
  const suggestion = await issueDocument(services, leader, {
    kind: 'WORK_SUGGESTION',
    title: '关于联合检查发现问题的工作建议函',
    body: `${inspection.code} 联合检查发现分解住院、超标准收费等问题，请督促机构整改。`,
    recipientDepartmentIds: [health],
    campaignId: id,
    measures: [{ description: '组织辖区医院开展护理收费规范培训', deadline }],
  });
  lines.push(
    `joint inspection ${inspection.code} of ${target} (医保 + 卫健): findings listed as a problem of the campaign; ` +
      `工作建议函 ${suggestion.number} to 卫健 with 1 measure`,
  );

  await advanceCampaign(services, leader, id); // 整改巩固
  await advanceCampaign(services, leader, id); // 已结束
  if (options.noticeCaseIds?.length) {
    const notice = await issueDocument(services, leader, {
      kind: 'PUBLIC_NOTICE',
      title: '关于定点医药机构违法违规使用医保基金典型案例的通报',
      body: '现将专项整治中查处的典型案例通报如下，各单位引以为戒。',
      recipientDepartmentIds: [],
      caseIds: options.noticeCaseIds.map((c) => toGlobalId('Case', c)),
      campaignId: id,
    });
    lines.push(
      `通报 ${notice.number}: ${options.noticeCaseIds.length} case(s), persons' names masked, readable region-wide`,
    );
  }
  const figures = (await campaignFiguresByIds(services.db, [campaign.id])).get(campaign.id)!;
  lines.push(
    `campaign ${campaign.code} CLOSED (自查自纠 → 集中检查 → 整改巩固 → 已结束): targets ${figures.targets} (covered ${figures.targetsCovered}), hits ${figures.hits} ` +
      `(清零率 ${figures.clearedRate == null ? '—' : `${(figures.clearedRate * 100).toFixed(1)}%`}), problems ${figures.problemsFound} found / ` +
      `${figures.problemsClosed} closed, ${figures.inspections} inspection(s), ${figures.documents} document(s), 主动退回 ${figures.voluntaryRefund}, 退还群众 ${figures.patientRefund}, recovered ${figures.amountRecovered}`,
  );
  return lines;
}

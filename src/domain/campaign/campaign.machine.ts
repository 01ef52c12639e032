import { defineMachine } from '../../workflow/machine';

export type CampaignPhase = 'PLANNED' | 'SELF_CHECK' | 'INSPECTION' | 'CONSOLIDATION' | 'CLOSED';

/**
 * 专项行动 (PRODUCT.md §9): phases 自查自纠 → 集中检查 → 整改巩固, each entered by ADVANCE (by a
 * leader of the leading department; the timeline records each phase's date). Starting a
 * collision run and recording a self-check report are events that keep the phase: versioned,
 * on the timeline, audited — and refused once the campaign is closed (runs) or outside
 * 自查自纠 and 集中检查 (self-check reports). Planning an inspection of the campaign and issuing
 * a document of it are events of the campaign too (by a member; inspections not once it is
 * closed, documents — a closing 通报 — in every phase).
 */
export const campaignMachine = defineMachine({
  entity: 'Campaign',
  table: 'campaign',
  states: {
    PLANNED: '筹备',
    SELF_CHECK: '自查自纠',
    INSPECTION: '集中检查',
    CONSOLIDATION: '整改巩固',
    CLOSED: '已结束',
  } satisfies Record<CampaignPhase, string>,
  creation: { CREATE: { label: '部署专项行动', to: 'PLANNED' } },
  events: {
    ADVANCE: {
      label: '进入下一阶段',
      from: ['PLANNED', 'SELF_CHECK', 'INSPECTION', 'CONSOLIDATION'],
      to: (phase: CampaignPhase) => NEXT_PHASE[phase],
      by: ['LEAD_LEADER'],
    },
    START_RUN: {
      label: '发起数据碰撞',
      from: ['PLANNED', 'SELF_CHECK', 'INSPECTION', 'CONSOLIDATION'],
      by: ['CAMPAIGN_MEMBER'],
    },
    RECORD_SELF_CHECK: { label: '登记自查自纠报告', from: ['SELF_CHECK', 'INSPECTION'], by: ['CAMPAIGN_MEMBER'] },
    PLAN_INSPECTION: {
      label: '安排检查',
      from: ['PLANNED', 'SELF_CHECK', 'INSPECTION', 'CONSOLIDATION'],
      by: ['CAMPAIGN_MEMBER'],
    },
    ISSUE_DOCUMENT: {
      label: '印发文书',
      from: ['PLANNED', 'SELF_CHECK', 'INSPECTION', 'CONSOLIDATION', 'CLOSED'],
      by: ['CAMPAIGN_MEMBER'],
    },
  },
});

/** The phase ADVANCE leads to (CLOSED has none: ADVANCE does not fire from it). */
export const NEXT_PHASE: Record<CampaignPhase, CampaignPhase> = {
  PLANNED: 'SELF_CHECK',
  SELF_CHECK: 'INSPECTION',
  INSPECTION: 'CONSOLIDATION',
  CONSOLIDATION: 'CLOSED',
  CLOSED: 'CLOSED',
};

export type CampaignEvent = keyof typeof campaignMachine.events;

/**
 * 督办方式: every kind of supervision item, declared once. `label` is what the frontends show
 * (ENUM_LABELS reads it); `designates` marks the kinds that also move the target to the
 * assigned department (指定管辖) when the item is created.
 */
export const SUPERVISION_KINDS = {
  LISTED_SUPERVISION: { label: '挂牌督办', designates: false },
  LEADER_ASSIGNED: { label: '领导包案', designates: false },
  ESCALATED: { label: '提级办理', designates: false },
  DESIGNATED_JURISDICTION: { label: '指定管辖', designates: true },
} as const satisfies Record<string, { label: string; designates: boolean }>;

export type SupervisionKind = keyof typeof SUPERVISION_KINDS;

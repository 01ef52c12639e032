import { Arg, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { caseMachine } from '../domain/case/case.machine';
import { clueMachine } from '../domain/clue/clue.machine';
import { CLUE_SOURCE_LABELS } from '../domain/clue/clue.types';
import { COLLISION_MODEL_LABELS } from '../domain/collision/collision.enums';
import { EXCLUSION_REASONS, hitVerificationMachine } from '../domain/collision/hit-verification.machine';
import { supervisionMachine } from '../domain/supervision/supervision.machine';
import { transferMachine } from '../domain/transfer/transfer.machine';
import { ENUM_LABELS } from '../domain/labels';
import { measureMachine } from '../domain/problem/measure.machine';
import { PROBLEM_SOURCES, problemMachine } from '../domain/problem/problem.machine';
import { RECHECK_RESULTS } from '../domain/problem/problem.types';
import { RECOMMENDATIONS } from '../domain/problem/recheck.machine';

const eventLabels = (events: Record<string, { label: string }>) =>
  Object.fromEntries(Object.entries(events).map(([e, d]) => [e, d.label]));

/** Every labelled enum: the label table plus the state machines' and the model registry's own labels. */
export const ALL_ENUM_LABELS: Record<string, Record<string, string>> = {
  ...ENUM_LABELS,
  ClueSource: CLUE_SOURCE_LABELS,
  ClueStatus: clueMachine.states,
  ClueEvent: eventLabels(clueMachine.events),
  TransferStatus: transferMachine.states,
  TransferEvent: eventLabels(transferMachine.events),
  CaseStatus: caseMachine.states,
  CaseEvent: eventLabels(caseMachine.events),
  SupervisionStatus: supervisionMachine.states,
  CollisionModel: COLLISION_MODEL_LABELS,
  HitVerification: hitVerificationMachine.states,
  HitVerificationEvent: eventLabels(hitVerificationMachine.events),
  ExclusionReason: EXCLUSION_REASONS,
  ProblemSource: PROBLEM_SOURCES,
  ProblemStatus: problemMachine.states,
  ProblemEvent: eventLabels(problemMachine.events),
  MeasureStatus: measureMachine.states,
  MeasureEvent: eventLabels(measureMachine.events),
  RecheckResult: RECHECK_RESULTS,
  Recommendation: RECOMMENDATIONS,
};

@ObjectType('EnumLabel', {
  description: '枚举值的中文显示名 (enum label)。The Chinese display label of an enum value.',
})
export class EnumLabel {
  @Field({ description: '枚举类型名，如 ClueStatus；另有 ClueEvent 等事件名（时间线 StateChange.event 的中文）。' })
  enum: string;

  @Field({ description: '枚举值，如 NEW。' })
  value: string;

  @Field({ description: '中文显示名，如 待分办。' })
  label: string;
}

@Resolver()
export class LabelsResolver {
  @Query(() => [EnumLabel], {
    description: '全部枚举值的中文显示名；无需登录。Display labels of every enum value; zh-CN is the only locale.',
  })
  enumLabels(
    @Arg('locale', () => String, { nullable: true, description: '语言；目前只有 zh-CN，传其他值也返回中文。' })
    _locale?: string | null,
  ): EnumLabel[] {
    return Object.entries(ALL_ENUM_LABELS).flatMap(([name, values]) =>
      Object.entries(values).map(([value, label]) => Object.assign(new EnumLabel(), { enum: name, value, label })),
    );
  }
}

import { Arg, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { ENUM_LABELS } from './labels';

@ObjectType('EnumLabel', { description: 'The Chinese display label of an enum value.' })
export class EnumLabel {
  @Field()
  enum: string;

  @Field()
  value: string;

  @Field()
  label: string;
}

@Resolver()
export class LabelsResolver {
  @Query(() => [EnumLabel], { description: 'Display labels of every enum value; zh-CN is the only locale.' })
  enumLabels(@Arg('locale', () => String, { nullable: true }) _locale?: string | null): EnumLabel[] {
    return Object.entries(ENUM_LABELS).flatMap(([name, values]) =>
      Object.entries(values).map(([value, label]) => Object.assign(new EnumLabel(), { enum: name, value, label })),
    );
  }
}

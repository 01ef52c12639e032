import { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { coerceFilter, filterInputType, parseFilterJson } from '../../graphql/filter-input';
import { createExportLink, exportFilterSource } from './export.service';
import { CreateExportLinkInput, EXPORT_FORMATS, EXPORT_LIST_NAMES, ExportLinkType } from './export.types';

@Resolver()
export class ExportResolver {
  @Mutation(() => ExportLinkType, {
    description:
      '导出: a single-use link (60 s) to download a list or the statistics as CSV or XLSX, for a browser (scripts use POST /export/<list>.<format> with the bearer token). The filter is validated now; visibility, masking and the audit entry apply when the link is used.',
  })
  async createExportLink(
    @Arg('input', { description: '导出的清单、格式和筛选条件 (what to export)。' }) input: CreateExportLinkInput,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ExportLinkType> {
    const actor = requireActor(ctx);
    const list = EXPORT_LIST_NAMES[input.list];
    const raw = input.filter ? parseFilterJson(input.filter) : null;
    const filter = coerceFilter(filterInputType(info.schema, exportFilterSource(list)), raw);
    const link = await createExportLink(ctx.services, actor, { list, format: EXPORT_FORMATS[input.format], filter });
    return Object.assign(new ExportLinkType(), { url: `/export/download/${link.token}`, expiresAt: link.expiresAt });
  }
}

/**
 * Schema-aware generator of hostile GraphQL requests (issue 16, item 5). It walks the emitted
 * schema (schema/schema.graphql, read with graphql-js) and produces, from a seeded Random:
 *
 * - `valid`: documents that validate — a random root field of Query or Mutation, its required
 *   arguments (inline literals or variables) and a random selection set through objects,
 *   interfaces (inline fragments) and connections, with named fragments now and then;
 * - `wrongVariables`: the same documents with variables of the wrong type or size (strings for
 *   numbers, objects for lists, nulls for non-nulls, 2^53, deep nesting, unknown input fields);
 * - `hugeStrings` / `unicode`: argument values of 100 kB, NUL bytes, lone surrogates,
 *   RTL overrides, combining marks, emoji, U+FFFF, a BOM;
 * - `deepFragments`: chains of 5–200 named fragments, fragment cycles, selections nested 30–300
 *   deep, hundreds of aliases, deeply nested list literals;
 * - `syntax`: documents cut, spliced and sprinkled with random bytes;
 * - `http`: malformed transport — bodies that are not JSON, not objects, batched arrays, a
 *   `query` that is not a string, text/plain (CSRF), GET with a mutation, bodies over the size
 *   limit, invalid UTF-8, garbage Authorization headers.
 *
 * Nothing here knows the product's resolvers: only the schema text.
 */
import {
  buildSchema,
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './random';

export type RequestKind =
  'valid' | 'wrongVariables' | 'hugeStrings' | 'unicode' | 'deepFragments' | 'syntax' | 'http' | 'introspection';

export interface FuzzRequest {
  kind: RequestKind;
  method: 'GET' | 'POST';
  /** Appended to the endpoint's URL (GET query strings). */
  search?: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Which user signs the request (index into the token list), or null for none. */
  user: number | null;
}

export const KIND_WEIGHTS: Record<RequestKind, number> = {
  valid: 30,
  wrongVariables: 20,
  hugeStrings: 8,
  unicode: 10,
  deepFragments: 10,
  syntax: 8,
  http: 10,
  introspection: 4,
};

export function loadSchema(root = join(__dirname, '..', '..', '..')): GraphQLSchema {
  // Works from bench/fuzz (ts-jest) and from dist/bench/fuzz (node).
  for (const dir of [root, join(__dirname, '..', '..')]) {
    try {
      return buildSchema(readFileSync(join(dir, 'schema', 'schema.graphql'), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error('schema/schema.graphql not found');
}

/** Strings that have broken parsers, databases and encoders elsewhere. */
export const EDGE_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '%s%s%n',
  '\\',
  '"',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\uffff',
  '\ufeffBOM',
  '\u202eRTL override',
  'e\u0301\u0302\u0303\u0304',
  '👨‍👩‍👧‍👦',
  '𠮷野家',
  '渭滨区',
  '\r\n\t\v\f',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'NaN',
  'Infinity',
  '1e309',
  '9'.repeat(400),
  '-0',
  '0.001',
  '12345678901234567890.12',
  '1.005',
  '2025-02-30',
  '2025-13-01',
  '0000-00-00',
  '+275760-09-13T00:00:00Z',
  '2025-03-01T25:00:00',
  '2025-03-01T12:00:00+99:00',
  '2025-03-01',
  '2025-03-01T08:00:00Z',
  '610302',
  '999999',
  'P1',
  'H610302001',
];

/** Global ids of every shape: well formed of each type, malformed, and wrong types. */
function idStrings(rng: Random, pool: readonly string[]): string {
  if (pool.length && rng.chance(0.6)) return rng.pick(pool);
  const type = rng.pick(['Clue', 'Case', 'User', 'Department', 'Transfer', 'Nope', '', 'Clue:Clue']);
  const rowId = rng.pick([
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    '1',
    '-1',
    '99999999999999999999',
    '\u0000',
    'x'.repeat(300),
    "'; DROP TABLE clue; --",
    '',
  ]);
  return rng.chance(0.8) ? Buffer.from(`${type}:${rowId}`).toString('base64url') : rng.pick(EDGE_STRINGS);
}

type ValueMode = 'valid' | 'huge' | 'unicode';

interface GenContext {
  rng: Random;
  schema: GraphQLSchema;
  ids: readonly string[];
  mode: ValueMode;
  /** Variable definitions collected while generating arguments. */
  variables: { name: string; type: string; value: unknown }[];
  useVariables: number;
  fragments: string[];
  maxDepth: number;
  /** Characters the `huge` mode may still spend on this request (about 1 MB in all). */
  hugeBudget: number;
}

function stringValue(ctx: GenContext): string {
  const { rng } = ctx;
  if (ctx.mode === 'huge' && ctx.hugeBudget > 0 && rng.chance(0.5)) {
    const unit = rng.pick(['x', 'Ω', '渭', '😀', '\u0000', 'a\u0301', '"\\']);
    const length = Math.min(ctx.hugeBudget, rng.int(1_000, 60_000));
    ctx.hugeBudget -= length;
    return unit.repeat(Math.ceil(length / unit.length));
  }
  if (ctx.mode === 'unicode' && rng.chance(0.7)) {
    return Array.from({ length: rng.int(1, 6) }, () => rng.pick(EDGE_STRINGS.slice(12, 26))).join('');
  }
  return rng.chance(0.6) ? rng.pick(EDGE_STRINGS) : `fuzz-${rng.int(0, 1e6)}`;
}

/** A JS value for an input type — mostly of the right shape, with edge-case contents. */
function inputValue(ctx: GenContext, type: GraphQLInputType, depth = 0): unknown {
  const { rng } = ctx;
  if (isNonNullType(type)) return inputValue(ctx, type.ofType, depth);
  if (!isNonNullType(type) && rng.chance(0.05)) return null;
  if (isListType(type)) {
    let n = rng.int(0, 3);
    if (ctx.mode === 'huge' && ctx.hugeBudget > 0 && rng.chance(0.3)) {
      n = rng.int(100, 2000);
      ctx.hugeBudget -= n * 100;
    }
    return Array.from({ length: n }, () => inputValue(ctx, type.ofType, depth + 1));
  }
  if (isEnumType(type)) return rng.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (required || (depth < 4 && rng.chance(0.4))) out[field.name] = inputValue(ctx, field.type, depth + 1);
    }
    return out;
  }
  switch (type.name) {
    case 'Int':
      return rng.pick([0, 1, -1, 5, 10, 100, 101, 1000, 2147483647, -2147483648]);
    case 'Float':
      return rng.pick([0, -0.5, 1.5, 1e300, -1e-300, 3.14159]);
    case 'Boolean':
      return rng.chance(0.5);
    case 'ID':
      return idStrings(rng, ctx.ids);
    case 'Money':
      return rng.pick([
        '0',
        '0.00',
        '1.005',
        '-1',
        '100.50',
        '999999999999.99',
        '1e5',
        'abc',
        '12345678901234567890',
        ' 1 ',
      ]);
    case 'Date':
      return rng.pick(['2025-03-01', '2025-02-30', '1900-01-01', '9999-12-31', '2025-3-1', '', 'yesterday']);
    case 'DateTime':
      return rng.pick([
        '2025-03-01T08:00:00Z',
        '2025-03-01T08:00:00+08:00',
        '2025-03-01',
        '0000-01-01T00:00:00Z',
        '275760-09-13T00:00:00Z',
        'not a time',
        '2025-03-01T08:00:00.123456789Z',
      ]);
    case 'JSON':
      return jsonValue(rng, 0);
    default:
      return stringValue(ctx);
  }
}

function jsonValue(rng: Random, depth: number): unknown {
  const kind = depth > 3 ? rng.int(0, 3) : rng.int(0, 5);
  if (kind === 0) return null;
  if (kind === 1) return rng.int(-1e6, 1e6);
  if (kind === 2) return rng.pick(EDGE_STRINGS);
  if (kind === 3) return rng.chance(0.5);
  if (kind === 4) return Array.from({ length: rng.int(0, 3) }, () => jsonValue(rng, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = rng.int(0, 3); i > 0; i--)
    out[rng.pick(['kind', 'region', 'model', 'amountAbove', '__proto__', 'x'])] = jsonValue(rng, depth + 1);
  return out;
}

/** A value of the wrong type, size or shape for `type`. */
export function wrongValue(rng: Random, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  const candidates: unknown[] = [
    null,
    'abc',
    '',
    123,
    -1,
    2 ** 31,
    2 ** 53 + 1,
    1.5,
    true,
    [],
    [1, 'x', null],
    {},
    { unknownField: 1 },
    { __proto__: { polluted: true } },
    'x'.repeat(rng.int(10_000, 100_000)),
    nested(rng.int(50, 2000), rng.chance(0.5)),
    Array.from({ length: rng.int(1000, 10_000) }, (_, i) => i),
  ];
  if (isEnumType(named)) candidates.push('NOT_A_VALUE', named.getValues()[0].name.toLowerCase(), 0);
  if (isInputObjectType(named)) {
    const fields = Object.keys(named.getFields());
    candidates.push(Object.fromEntries(fields.map((f) => [f, rng.pick([[], {}, 'x', 1e308, null])])));
  }
  return rng.pick(candidates);
}

function nested(depth: number, asArray: boolean): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** The GraphQL literal of a JS value of `type` (enums unquoted, objects as input literals). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (isListType(type)) return `[${(value as unknown[]).map((v) => literal(v, type.ofType)).join(', ')}]`;
  if (isEnumType(type)) return String(value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal(v, fields[k].type)}`)
      .join(', ')}}`;
  }
  if (isScalarType(type) && type.name === 'JSON') return jsonLiteral(value);
  return JSON.stringify(value);
}

function jsonLiteral(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k))
      .map(([k, v]) => `${k}: ${jsonLiteral(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

function argumentsOf(ctx: GenContext, args: readonly GraphQLArgument[]): string {
  const { rng } = ctx;
  const parts: string[] = [];
  for (const arg of args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (!required && !rng.chance(0.35)) continue;
    let value = inputValue(ctx, arg.type);
    if (arg.name === 'first' && rng.chance(0.7)) value = rng.int(0, 5);
    if (value === null && isNonNullType(arg.type)) value = inputValue(ctx, arg.type.ofType);
    if (rng.chance(ctx.useVariables)) {
      const name = `v${ctx.variables.length}`;
      ctx.variables.push({ name, type: String(arg.type), value });
      parts.push(`${arg.name}: $${name}`);
    } else {
      parts.push(`${arg.name}: ${literal(value, arg.type)}`);
    }
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** A selection set for an output type; '' for leaves. */
function selectionSet(ctx: GenContext, type: GraphQLNamedType, depth: number): string {
  const { rng, schema } = ctx;
  if (isLeafType(type)) return '';
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    const parts = ['__typename'];
    if (isInterfaceType(type)) parts.push(fieldSelections(ctx, type.getFields(), depth, 2));
    for (const object of rng.sample(possible, rng.int(0, 2)))
      parts.push(`... on ${object.name} ${selectionSet(ctx, object, depth)}`);
    return `{ ${parts.filter(Boolean).join(' ')} }`;
  }
  const object = type as GraphQLObjectType;
  const inner = fieldSelections(ctx, object.getFields(), depth, rng.int(1, 4));
  if (depth > 0 && rng.chance(0.1)) {
    const name = `F${ctx.fragments.length}`;
    ctx.fragments.push(`fragment ${name} on ${object.name} { ${inner || '__typename'} }`);
    return `{ ...${name} __typename }`;
  }
  return `{ ${inner || '__typename'} }`;
}

function fieldSelections(
  ctx: GenContext,
  fields: Record<string, GraphQLField<unknown, unknown>>,
  depth: number,
  count: number,
): string {
  const { rng } = ctx;
  let candidates = Object.values(fields);
  if (depth <= 0) candidates = candidates.filter((f) => isLeafType(getNamedType(f.type)));
  // Required arguments on a nested field would need values: allowed, generated below.
  const chosen = rng.sample(candidates, count);
  return chosen
    .map((f) => {
      const args = argumentsOf(ctx, f.args);
      const named = getNamedType(f.type);
      const alias = rng.chance(0.05) ? `a${rng.int(0, 999)}: ` : '';
      return `${alias}${f.name}${args} ${selectionSet(ctx, named, depth - 1)}`.trim();
    })
    .join(' ');
}

export interface Generator {
  next(): FuzzRequest;
}

/**
 * The generator of one run. `ids` is a pool of global ids seen in answers so far (the runner
 * adds to it), so valid documents reach real rows; `users` is how many tokens the runner holds.
 */
export function createGenerator(schema: GraphQLSchema, rng: Random, ids: string[], users: number): Generator {
  const queryFields = Object.values(schema.getQueryType()!.getFields());
  const mutationFields = Object.values(schema.getMutationType()?.getFields() ?? {});

  function operation(mode: ValueMode, useVariables: number) {
    const ctx: GenContext = {
      rng,
      schema,
      ids,
      mode,
      variables: [],
      useVariables,
      fragments: [],
      maxDepth: rng.int(1, 5),
      hugeBudget: 1_000_000,
    };
    const mutation = mutationFields.length > 0 && rng.chance(0.3);
    const field = rng.pick(mutation ? mutationFields : queryFields);
    const body = `${field.name}${argumentsOf(ctx, field.args)} ${selectionSet(ctx, getNamedType(field.type), ctx.maxDepth)}`;
    const defs = ctx.variables.length ? `(${ctx.variables.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
    const query = `${mutation ? 'mutation' : 'query'} Fuzz${defs} { ${body} }\n${ctx.fragments.join('\n')}`;
    const variables = Object.fromEntries(ctx.variables.map((v) => [v.name, v.value]));
    return { query, variables, ctx };
  }

  const user = () => (rng.chance(0.9) ? rng.int(0, users - 1) : null);
  const json = (kind: RequestKind, payload: unknown): FuzzRequest => ({
    kind,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    user: user(),
  });

  const makers: Record<RequestKind, () => FuzzRequest> = {
    valid: () => {
      const { query, variables } = operation('valid', 0.5);
      return json('valid', { query, variables });
    },
    wrongVariables: () => {
      const { query, variables, ctx } = operation('valid', 1);
      const defs = ctx.variables;
      if (defs.length) {
        for (const def of rng.sample(defs, rng.int(1, defs.length))) {
          const type = schema.getType(def.type.replace(/[[\]!]/g, '')) as GraphQLInputType;
          variables[def.name] = wrongValue(rng, type);
        }
        if (rng.chance(0.2)) delete variables[rng.pick(defs).name];
      } else {
        variables[`extra${rng.int(0, 9)}`] = wrongValue(rng, schema.getType('String') as GraphQLInputType);
      }
      return json('wrongVariables', { query, variables: rng.chance(0.05) ? rng.pick(['x', 1, [], true]) : variables });
    },
    hugeStrings: () => {
      const { query, variables } = operation('huge', rng.chance(0.5) ? 1 : 0);
      return json('hugeStrings', { query, variables });
    },
    unicode: () => {
      const { query, variables } = operation('unicode', 0.5);
      // Unicode in names and comments too, not only in values.
      const mangled = rng.chance(0.3) ? `# ${rng.pick(EDGE_STRINGS.slice(12, 26))}\n${query}` : query;
      return json('unicode', { query: mangled, variables, operationName: rng.chance(0.1) ? '\ud800' : undefined });
    },
    deepFragments: () => json('deepFragments', { query: deepDocument(rng) }),
    syntax: () => {
      const { query } = operation('valid', 0);
      return json('syntax', { query: mangle(rng, query) });
    },
    http: () => httpRequest(rng, operation('valid', 0).query, user()),
    introspection: () =>
      json('introspection', {
        query: rng.pick([
          '{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }',
          `{ __type(name: ${JSON.stringify(rng.pick(EDGE_STRINGS))}) { name kind } }`,
          '{ __typename }',
          '{ a: __typename b: __typename c: __schema { queryType { name } } }',
        ]),
      }),
  };

  return { next: () => makers[rng.weighted(KIND_WEIGHTS)]() };
}

/** Fragment chains and cycles, deep nesting, alias floods, nested list literals. */
function deepDocument(rng: Random): string {
  const shape = rng.int(0, 6);
  if (shape === 0) {
    // A chain of fragments on Query, each spreading the next.
    const n = rng.int(5, 200);
    const frags = Array.from(
      { length: n },
      (_, i) => `fragment Q${i} on Query { ${i + 1 < n ? `...Q${i + 1}` : '__typename'} }`,
    );
    return `query { ...Q0 }\n${frags.join('\n')}`;
  }
  if (shape === 1) {
    // A cycle.
    const n = rng.int(1, 20);
    const frags = Array.from({ length: n }, (_, i) => `fragment C${i} on Query { __typename ...C${(i + 1) % n} }`);
    return `query { ...C0 }\n${frags.join('\n')}`;
  }
  if (shape === 2) {
    // Deep selection through a self-referencing path (region → parent → parent …).
    const depth = rng.int(8, 300);
    return `query { me { department { ${'region { parent { '.repeat(depth)}code${' } }'.repeat(depth)} } } }`;
  }
  if (shape === 3) {
    const n = rng.int(16, 3000);
    return `query { ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
  }
  if (shape === 4) {
    // A nested list literal in an argument.
    const depth = rng.int(100, 5000);
    return `query { clues(filter: { status: ${'['.repeat(depth)}NEW${']'.repeat(depth)} }) { totalCount } }`;
  }
  if (shape === 5) {
    // Fragments spread many times over (a "billion laughs" of spreads).
    const n = rng.int(5, 15);
    const frags = Array.from(
      { length: n },
      (_, i) => `fragment L${i} on Query { ${i + 1 < n ? `...L${i + 1} ...L${i + 1}` : '__typename'} }`,
    );
    return `query { ...L0 }\n${frags.join('\n')}`;
  }
  // Many directives on one field.
  return `query { __typename ${'@include(if: true) '.repeat(rng.int(10, 500))} }`;
}

function mangle(rng: Random, query: string): string {
  let text = query;
  for (let i = rng.int(1, 5); i > 0; i--) {
    const at = rng.int(0, text.length);
    const op = rng.int(0, 4);
    if (op === 0) text = text.slice(0, at);
    else if (op === 1)
      text =
        text.slice(0, at) +
        rng.pick(['{', '}', '(', ')', '"', '"""', '$', '@', '...', '!', ':', '#', '\u0000', '\\u']) +
        text.slice(at);
    else if (op === 2) text = text.slice(0, at) + text.slice(at + rng.int(1, 20));
    else if (op === 3) text = text.slice(0, at) + rng.bytes(rng.int(1, 8)).toString('latin1') + text.slice(at);
    else text = text.slice(0, at) + text.slice(0, at);
  }
  return text;
}

function httpRequest(rng: Random, query: string, user: number | null): FuzzRequest {
  const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) => ({
    kind: 'http' as const,
    method: 'POST' as const,
    headers,
    body,
    user,
  });
  switch (rng.int(0, 15)) {
    case 0:
      return post('{"query": ');
    case 1:
      return post(JSON.stringify([{ query }, { query }]));
    case 2:
      return post(JSON.stringify({ query: rng.pick([123, null, true, ['{ __typename }'], { a: 1 }]) }));
    case 3:
      return post(JSON.stringify({ query, variables: rng.pick(['x', 1, [], true]) }));
    case 4:
      return post(JSON.stringify({ query }), { 'content-type': 'text/plain' });
    case 5:
      return {
        kind: 'http',
        method: 'GET',
        search: `?query=${encodeURIComponent(query)}`,
        headers: { 'apollo-require-preflight': 'true' },
        body: undefined,
        user,
      };
    case 6:
      return {
        kind: 'http',
        method: 'GET',
        search: `?query=${encodeURIComponent('mutation { login(username:"a", password:"b") { token } }')}`,
        headers: { 'apollo-require-preflight': 'true' },
        body: undefined,
        user,
      };
    case 7:
      return post(JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(rng.int(200_000, 2_000_000)) }));
    case 8:
      return post(
        Buffer.concat([
          Buffer.from('{"query":"{ __typename }","variables":{"a":"'),
          rng.bytes(rng.int(1, 64)),
          Buffer.from('"}}'),
        ]),
      );
    case 9:
      return post(rng.bytes(rng.int(0, 2000)));
    case 10:
      return post('');
    case 11:
      return post(JSON.stringify({ query, operationName: rng.pick(['Nope', '', 'x'.repeat(10_000), 1]) }));
    case 12:
      return post(
        JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      );
    case 13:
      return {
        ...post(JSON.stringify({ query: '{ viewer { id } }' })),
        headers: {
          'content-type': 'application/json',
          authorization: rng.pick([
            'Bearer ',
            'Bearer a.b.c',
            'Basic dXNlcjpwYXNz',
            `Bearer ${'x'.repeat(8000)}`,
            'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
            'bearer\u00e9',
          ]),
        },
        user: null,
      };
    case 14:
      return post(JSON.stringify({ query: 'subscription { notificationAdded { id } }' }));
    default:
      return post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json; charset=latin1' });
  }
}

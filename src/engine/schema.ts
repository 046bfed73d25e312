/** JSON Schema (draft-07, checked with ajv) of a rule file and of a sibling `<rule>.tests.yml` file. */

const scalar = { type: ['string', 'number', 'boolean'] };
const stringOrList = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
};
const bound = { type: ['number', 'string'] };

const testCase = {
  description:
    'a record, or {name, record} / {name, records: [...]} (records: a sequence for aggregate rules)',
  type: 'object',
};

export const testsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['match', 'nomatch'],
  properties: {
    defaults: { type: 'object', description: 'fields merged into every test record' },
    match: { type: 'array', items: testCase },
    nomatch: { type: 'array', items: testCase },
  },
} as const;

export const ruleSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'title',
    'description',
    'worm',
    'variant',
    'level',
    'confidence',
    'diagnostic',
    'evidence',
    'catalog',
    'references',
    'kind',
    'match',
  ],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 1 },
    worm: { enum: ['blaster', 'welchia', 'generic'] },
    variant: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[A-Z]$' }] },
    level: { enum: ['critical', 'high', 'medium', 'low', 'informational'] },
    confidence: { enum: ['H', 'M', 'L'] },
    diagnostic: { enum: ['infection', 'attack', 'exposure', 'corroborative'] },
    evidence: {
      enum: ['binary', 'hash', 'persistence', 'service', 'network', 'event', 'remnant', 'configuration'],
    },
    catalog: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[A-Z]{3}-[A-Za-z0-9]+$' },
    },
    references: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^(S\\d{2}[a-z]?|https?://\\S+)$' },
    },
    kind: { enum: ['file', 'registry-value', 'service', 'event', 'connection', 'listener', 'host'] },
    match: { $ref: '#/definitions/expression' },
    aggregate: {
      type: 'object',
      additionalProperties: false,
      required: ['atLeast'],
      properties: {
        count: { const: true },
        distinct: { type: 'string', minLength: 1 },
        groupBy: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        window: { type: 'string', pattern: '^\\s*\\d+\\s*(ms|s|m|h|d)\\s*$' },
        atLeast: { type: 'integer', minimum: 1 },
      },
      oneOf: [{ required: ['count'] }, { required: ['distinct'] }],
    },
    tests: testsSchema,
  },
  definitions: {
    expression: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        all: { type: 'array', minItems: 1, items: { $ref: '#/definitions/expression' } },
        any: { type: 'array', minItems: 1, items: { $ref: '#/definitions/expression' } },
        not: { $ref: '#/definitions/expression' },
        field: { type: 'string', minLength: 1 },
        caseSensitive: { type: 'boolean' },
        equals: { anyOf: [scalar, { type: 'array', items: scalar, minItems: 1 }] },
        in: { type: 'array', items: scalar, minItems: 1 },
        contains: stringOrList,
        startswith: stringOrList,
        endswith: stringOrList,
        regex: stringOrList,
        glob: stringOrList,
        cidr: stringOrList,
        range: {
          anyOf: [
            { type: 'string' },
            {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: { min: bound, max: bound },
            },
          ],
        },
        gt: bound,
        gte: bound,
        lt: bound,
        lte: bound,
        exists: { type: 'boolean' },
      },
    },
  },
} as const;

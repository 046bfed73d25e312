import { describe, expect, it } from 'vitest';
import { BufferReader } from '../io/index.js';
import { type EvtxRecord, openEvtx } from './index.js';
import { buildEvtx, type WFragment, type WValue, type XNode } from './test-support/evtx-writer.js';
import { v } from './test-support/values.js';

async function one(fragment: WFragment): Promise<EvtxRecord> {
  const log = await openEvtx(new BufferReader(buildEvtx([{ recordId: 7n, written: 0n, fragment }])));
  const records: EvtxRecord[] = [];
  for await (const record of log.records()) records.push(record);
  expect(log.errors.list).toEqual([]);
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** <Root><V0>%0</V0><V1>%1</V1>...</Root> over the given values. */
async function valuesOf(values: WValue[]): Promise<Record<string, unknown>> {
  const template: XNode = {
    element: 'Root',
    children: values.map((value, index) => ({
      element: `V${index}`,
      children: [{ sub: index, type: value.type }],
    })),
  };
  const record = await one({ template, values });
  return record.event!.Root as Record<string, unknown>;
}

describe('substitution value types', () => {
  it('decodes every scalar type', async () => {
    const root = await valuesOf([
      v.string('Remote Procedure Call (RPC)'),
      v.ansi('ANSI text'),
      v.i8(-5),
      v.u8(250),
      v.i16(-300),
      v.u16(65000),
      v.i32(-70000),
      v.u32(4_000_000_000),
      v.i64(-5n),
      v.u64(18_446_744_073_709_551_615n),
      v.f32(1.5),
      v.f64(-2.25),
      v.bool(1),
      v.bool(0),
      v.binary([0xde, 0xad, 0xbe, 0xef]),
      v.guid('{555908D1-A6D7-4695-8E1E-26931D2012F4}'),
      v.sizeT(0x1234n, 8),
      v.filetime(127_050_336_000_000_001n),
      v.systemtime([2003, 8, 1, 11, 20, 13, 3, 5]),
      v.sid('S-1-5-21-546003962-2713609280-610790815-1001'),
      v.hex32(0xc000006d),
      v.hex64(0x2118an),
      v.handle(42),
      v.evtXml('<x/>'),
      v.u64(9_007_199_254_740_991n),
      v.sizeT(0xffn, 4),
      v.bool(2),
    ]);
    expect(root).toEqual({
      V0: 'Remote Procedure Call (RPC)',
      V1: 'ANSI text',
      V2: -5,
      V3: 250,
      V4: -300,
      V5: 65000,
      V6: -70000,
      V7: 4_000_000_000,
      V8: -5,
      V9: '18446744073709551615',
      V10: 1.5,
      V11: -2.25,
      V12: true,
      V13: false,
      V14: 'DEADBEEF',
      V15: '{555908D1-A6D7-4695-8E1E-26931D2012F4}',
      V16: '0x1234',
      V17: '2003-08-11T00:00:00.000000100Z',
      V18: '2003-08-11T20:13:03.005Z',
      V19: 'S-1-5-21-546003962-2713609280-610790815-1001',
      V20: '0xc000006d',
      V21: '0x2118a',
      V22: 42,
      V23: '<x/>',
      V24: 9_007_199_254_740_991,
      V25: '0xff',
      V26: true,
    });
  });

  it('decodes arrays: NUL-separated strings and fixed-size items', async () => {
    const root = await valuesOf([
      v.stringArray(['a', '', 'bc']),
      v.u16Array([1, 2, 3]),
      v.u32Array([]),
      v.guidArray(['{00000001-0002-0003-0405-060708090A0B}']),
      v.raw(0x84, [1, 2]),
    ]);
    expect(root).toEqual({
      V0: ['a', '', 'bc'],
      V1: [1, 2, 3],
      V2: null,
      V3: ['{00000001-0002-0003-0405-060708090A0B}'],
      V4: [1, 2],
    });
  });

  it('repeats an element per array item in XML, as Windows renders array values', async () => {
    const record = await one({
      template: { element: 'R', children: [{ element: 'Item', children: [{ sub: 0, type: 0x86 }] }] },
      values: [v.u16Array([4, 5])],
    });
    expect(record.xml()).toBe('<R>\n  <Item>4</Item>\n  <Item>5</Item>\n</R>\n');
  });

  it('records a value that does not fit its type and renders it null', async () => {
    const bytes = buildEvtx([
      {
        recordId: 1n,
        written: 0n,
        fragment: {
          template: {
            element: 'R',
            children: [
              { element: 'A', children: [{ sub: 0, type: 0x08 }] },
              { element: 'B', children: [{ sub: 1, type: 0x01 }] },
            ],
          },
          values: [v.raw(0x08, [1, 2, 3]), v.string('after')],
        },
      },
    ]);
    const log = await openEvtx(new BufferReader(bytes));
    const records: EvtxRecord[] = [];
    for await (const record of log.records()) records.push(record);
    expect(records[0]!.event).toEqual({ R: { A: null, B: 'after' } });
    expect(log.errors.list[0]).toMatchObject({ format: 'evtx', reason: 'value type 0x8 cannot have size 3' });
  });
});

describe('binary XML tokens', () => {
  it('renders CDATA, character and entity references and processing instructions', async () => {
    const record = await one({
      template: {
        element: 'R',
        attributes: [{ name: 'a', value: [{ text: 'x' }, { entity: 'amp' }, { charRef: 0x41 }] }],
        children: [
          { element: 'C', children: [{ cdata: '<raw & text>' }] },
          { element: 'E', children: [{ text: 'a' }, { entity: 'lt' }, { charRef: 0x263a }] },
          { pi: 'xml-stylesheet', data: 'href="a.xsl"' },
        ],
      },
      values: [],
    });
    expect(record.event).toEqual({ R: { '#attributes': { a: 'x&A' }, C: '<raw & text>', E: 'a<\u263a' } });
    expect(record.xml()).toBe(
      '<R a="x&amp;A">\n  <C><![CDATA[<raw & text>]]></C>\n  <E>a&lt;&#9786;</E>\n  <?xml-stylesheet href="a.xsl"?>\n</R>\n',
    );
  });

  it('reads elements outside templates, with and without the dependency identifier', async () => {
    const elements: XNode[] = [
      {
        element: 'Event',
        attributes: [{ name: 'Name', value: [{ text: 'n' }] }],
        children: [
          { element: 'Event', children: [{ text: 'inner' }] },
          { element: 'Event', children: [{ text: 'again' }] },
        ],
      },
    ];
    const expected = { Event: { '#attributes': { Name: 'n' }, Event: ['inner', 'again'] } };
    expect((await one({ elements })).event).toEqual(expected);
    expect((await one({ elements, withoutDependencyId: true })).event).toEqual(expected);
  });

  it('renders nested binary XML values (UserData) in place, with their own template', async () => {
    const inner: WFragment = {
      template: {
        element: 'LogFileCleared',
        attributes: [
          { name: 'xmlns', value: [{ text: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }] },
        ],
        children: [{ element: 'SubjectUserName', children: [{ sub: 0, type: 0x01 }] }],
      },
      values: [v.string('test')],
    };
    const record = await one({
      template: { element: 'Event', children: [{ element: 'UserData', children: [{ sub: 0, type: 0x21 }] }] },
      values: [v.binxml(inner)],
    });
    expect(record.event).toEqual({
      Event: {
        UserData: {
          LogFileCleared: {
            '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
            SubjectUserName: 'test',
          },
        },
      },
    });
    expect(record.xml()).toContain(
      '    <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">\n      <SubjectUserName>test</SubjectUserName>',
    );
  });

  it('keeps text beside child elements as #text and an empty non-optional attribute as ""', async () => {
    const record = await one({
      template: {
        element: 'R',
        attributes: [{ name: 'k', value: [{ sub: 1, type: 0x01 }] }],
        children: [{ text: 'before' }, { element: 'X' }, { sub: 0, type: 0x08 }],
      },
      values: [v.u32(3), v.null()],
    });
    expect(record.event).toEqual({ R: { '#attributes': { k: '' }, X: null, '#text': 'before3' } });
  });

  it('bounds nesting: a binary XML value nested beyond the limit is an error, not a stack overflow', async () => {
    let fragment: WFragment = { template: { element: 'L', children: [{ text: 'leaf' }] }, values: [] };
    for (let depth = 0; depth < 40; depth += 1) {
      fragment = {
        template: { element: `N${depth % 2}`, children: [{ sub: 0, type: 0x21 }] },
        values: [v.binxml(fragment)],
      };
    }
    const log = await openEvtx(new BufferReader(buildEvtx([{ recordId: 1n, written: 0n, fragment }])));
    const records: EvtxRecord[] = [];
    for await (const record of log.records()) records.push(record);
    expect(records).toHaveLength(1);
    expect(log.errors.list.some((error) => error.reason.includes('nested deeper than'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ByteView, FormatError } from '../io/index.js';
import { decodeRunList } from './run-list.js';

const view = (bytes: number[]) => new ByteView(new Uint8Array(bytes), 1000, 'ntfs', 'run-list');

describe('run list', () => {
  it('decodes relative, negative (signed) and sparse runs', () => {
    // 0x21: 1-byte length, 2-byte offset. +0x1000; then -0x10 (0xF0 sign-extended); then sparse 4.
    const runs = decodeRunList(
      view([0x21, 0x08, 0x00, 0x10, 0x11, 0x04, 0xf0, 0x01, 0x04, 0x00]),
      0,
      15,
      100_000,
    );
    expect(runs).toEqual([
      { vcn: 0, length: 8, lcn: 0x1000 },
      { vcn: 8, length: 4, lcn: 0x1000 - 0x10 },
      { vcn: 12, length: 4, lcn: -1 },
    ]);
  });

  it('starts at the first VCN of an attribute piece and appends to earlier pieces', () => {
    const first = decodeRunList(view([0x11, 0x02, 0x10, 0x00]), 0, 1, 1000);
    decodeRunList(view([0x11, 0x03, 0x20, 0x00]), 2, 4, 1000, first);
    expect(first).toEqual([
      { vcn: 0, length: 2, lcn: 0x10 },
      { vcn: 2, length: 3, lcn: 0x20 },
    ]);
  });

  it('refuses malformed lists with FormatError at the absolute offset', () => {
    const bad: Array<[number[], number, number]> = [
      [[0x90, 0x01], 0, 0], // offset size 9
      [[0x10, 0x01], 0, 0], // length size 0
      [[0x21, 0x08], 0, 7], // truncated
      [[0x11, 0x08, 0x80, 0x00], 0, 7], // negative cluster
      [[0x11, 0x08, 0x7f, 0x00], 0, 7], // past the volume of 100 clusters
      [[0x11, 0x08, 0x01, 0x00], 0, 20], // does not cover the VCN range
      [[0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00], 0, 7], // huge length
    ];
    for (const [bytes, first, last] of bad) {
      const error = (() => {
        try {
          decodeRunList(view(bytes), first, last, 100);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, bytes.join(',')).toBeInstanceOf(FormatError);
      expect((error as FormatError).offset).toBeGreaterThanOrEqual(1000);
    }
  });
});

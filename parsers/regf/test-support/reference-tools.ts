/** Runs and parses the reference tools (regfexport, hivexml) for conformance tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export interface RegfexportResult {
  ok: boolean;
  /** Key paths as printed (root name first). */
  keys: string[];
  /** 'path\tvalueName' ('(default)' for the unnamed value). */
  values: string[];
}

/** Output goes through a temporary file: regfexport writes to a pipe many times slower. */
export function runRegfexport(path: string): RegfexportResult {
  const dir = mkdtempSync(join(tmpdir(), 'regf-regfexport-'));
  let text: string;
  let status: number | null;
  try {
    const out = join(dir, 'out.txt');
    status = spawnSync('sh', ['-c', 'regfexport "$1" > "$2" 2>/dev/null', 'sh', path, out]).status;
    text = readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const keys: string[] = [];
  const values: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('Key path: ')) {
      current = line.slice('Key path: '.length);
      keys.push(current);
    } else {
      const match = /^Value: \d+ (.*)$/.exec(line);
      if (match) values.push(`${current}\t${match[1]}`);
    }
  }
  return { ok: status === 0, keys, values };
}

export interface HivexmlValue {
  type: string;
  value?: string;
  strings?: string[];
  base64: boolean;
}

export interface HivexmlResult {
  ok: boolean;
  /** Key path (root name first, '\\'-joined) to its values by name ('' = default). */
  keys: Map<string, Map<string, HivexmlValue>>;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return String.fromCodePoint(code);
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity.toLowerCase()] ?? '';
  });
}

/** hivexml writes through a file name, so its output goes to a temporary file, not a pipe. */
export function runHivexml(path: string): HivexmlResult {
  const dir = mkdtempSync(join(tmpdir(), 'regf-hivexml-'));
  try {
    const out = join(dir, 'out.xml');
    const status = spawnSync('sh', ['-c', 'hivexml "$1" > "$2"', 'sh', path, out]).status;
    const xml = readFileSync(out, 'utf8');
    const keys = new Map<string, Map<string, HivexmlValue>>();
    const stack: string[] = [];
    let currentValue: HivexmlValue | undefined;
    const tag = /<(\/?)(node|value|string)\b([^>]*?)(\/?)>|<\/string>/g;
    let match: RegExpExecArray | null = tag.exec(xml);
    while (match !== null) {
      const [, closing, name, attributes = '', selfClosing] = match;
      const attribute = (key: string): string | undefined => {
        const found = new RegExp(`\\b${key}="([^"]*)"`).exec(attributes);
        return found ? unescapeXml(found[1]!) : undefined;
      };
      if (name === 'node' && !closing) {
        stack.push(attribute('name') ?? '');
        keys.set(stack.join('\\'), new Map());
        if (selfClosing) stack.pop();
      } else if (name === 'node' && closing) stack.pop();
      else if (name === 'value' && !closing) {
        const value: HivexmlValue = {
          type: attribute('type') ?? '',
          base64: attribute('encoding') === 'base64',
        };
        const text = attribute('value');
        if (text !== undefined) value.value = text;
        keys.get(stack.join('\\'))?.set(attribute('default') === '1' ? '' : (attribute('key') ?? ''), value);
        currentValue = selfClosing ? undefined : value;
      } else if (name === 'string' && !closing && currentValue !== undefined) {
        const end = xml.indexOf('</string>', tag.lastIndex);
        currentValue.strings ??= [];
        currentValue.strings.push(unescapeXml(xml.slice(tag.lastIndex, end)));
      }
      match = tag.exec(xml);
    }
    return { ok: status === 0, keys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

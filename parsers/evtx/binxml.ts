/**
 * Binary XML token stream (libfwevt "Binary XML", omerbenamram/evtx token model) into the
 * node tree of nodes.ts. Offsets are chunk-relative: names, templates and nested fragments all
 * point into the chunk. Every token consumes at least one byte and element depth and
 * template/fragment nesting are bounded, so crafted input cannot loop or recurse without end.
 */
import type { ByteView, FormatError } from '../io/index.js';
import {
  MAX_ELEMENT_DEPTH,
  MAX_FRAGMENT_DEPTH,
  TOKEN_ATTRIBUTE,
  TOKEN_CDATA_SECTION,
  TOKEN_CHARACTER_REFERENCE,
  TOKEN_CLOSE_EMPTY_ELEMENT,
  TOKEN_CLOSE_START_ELEMENT,
  TOKEN_END_ELEMENT,
  TOKEN_ENTITY_REFERENCE,
  TOKEN_EOF,
  TOKEN_FLAG_MORE,
  TOKEN_FRAGMENT_HEADER,
  TOKEN_NORMAL_SUBSTITUTION,
  TOKEN_OPEN_START_ELEMENT,
  TOKEN_OPTIONAL_SUBSTITUTION,
  TOKEN_PI_DATA,
  TOKEN_PI_TARGET,
  TOKEN_TEMPLATE_INSTANCE,
  TOKEN_VALUE,
  VALUE_BINXML,
  VALUE_NULL,
} from './constants.js';
import { plausibleName, readNameReference } from './name.js';
import {
  type AttributeNode,
  BinXmlFragment,
  type CompiledTemplate,
  type ContentNode,
  type ElementNode,
  type EvtxValue,
  NODE_CDATA,
  NODE_CHARACTER_REFERENCE,
  NODE_ELEMENT,
  NODE_ENTITY_REFERENCE,
  NODE_PROCESSING_INSTRUCTION,
  NODE_SUBSTITUTION,
  NODE_TEMPLATE_INSTANCE,
  NODE_TEXT,
} from './nodes.js';
import { compileTemplate, TEMPLATE_DEFINITION_HEADER_SIZE } from './template.js';
import { readTokenValue, readUtf16, readValue } from './values.js';

/** What binary XML parsing needs from its chunk. */
export interface BinXmlContext {
  /** The whole chunk; offsets are relative to its first byte. */
  readonly chunk: ByteView;
  readonly names: Map<number, string>;
  /** Compiled templates by definition offset; a FormatError marks a definition that failed. */
  readonly templates: Map<number, CompiledTemplate | FormatError>;
  /** Non-fatal damage (a bad value): recorded, parsing goes on. */
  report(error: FormatError): void;
}

export interface ParsedFragment {
  nodes: ContentNode[];
  /** Position after the last token read (after EOF when there was one). */
  end: number;
}

/**
 * Open start element header: token, [dependency identifier (2)], data size (4), name offset (4).
 * Template definitions carry the dependency identifier; some element streams outside templates
 * do not. The inline-name rule (name offset == position after it) tells the two apart; when the
 * name is shared, the layout whose name offset designates a plausible name wins.
 */
function nameFieldPosition(chunk: ByteView, position: number): number {
  const withDependency = position + 7;
  const withoutDependency = position + 5;
  if (chunk.has(withDependency, 4) && chunk.u32(withDependency) === withDependency + 4) return withDependency;
  if (chunk.has(withoutDependency, 4) && chunk.u32(withoutDependency) === withoutDependency + 4)
    return withoutDependency;
  if (chunk.has(withDependency, 4) && plausibleName(chunk, chunk.u32(withDependency))) return withDependency;
  if (chunk.has(withoutDependency, 4) && plausibleName(chunk, chunk.u32(withoutDependency)))
    return withoutDependency;
  return withDependency;
}

/** Adds a content node to the attribute receiving its value, or to the open element. */
function addContent(
  chunk: ByteView,
  position: number,
  attribute: AttributeNode | undefined,
  pending: ElementNode | undefined,
  container: ContentNode[],
  node: ContentNode,
): void {
  if (attribute !== undefined) attribute.value.push(node);
  else if (pending !== undefined) throw chunk.error(position, 'content inside an unclosed start tag');
  else container.push(node);
}

/**
 * Parses tokens from `start` until an EOF token or `end`. Throws FormatError at the first
 * token that cannot be understood (the caller records it against the record).
 */
export function parseBinXml(
  context: BinXmlContext,
  start: number,
  end: number,
  depth: number,
): ParsedFragment {
  const chunk = context.chunk;
  if (depth > MAX_FRAGMENT_DEPTH)
    throw chunk.error(start, `binary XML nested deeper than ${MAX_FRAGMENT_DEPTH}`);
  const root: ContentNode[] = [];
  const stack: ElementNode[] = [];
  let container = root;
  let pending: ElementNode | undefined; // start tag open, receiving attributes
  let attribute: AttributeNode | undefined; // attribute receiving its value
  let position = start;

  while (position < end) {
    const token = chunk.u8(position);
    switch (token & ~TOKEN_FLAG_MORE) {
      case TOKEN_EOF:
        if (token !== TOKEN_EOF) throw chunk.error(position, `unknown token 0x${token.toString(16)}`);
        position += 1;
        if (stack.length > 0 || pending !== undefined)
          throw chunk.error(position - 1, `end of fragment with ${stack.length} element(s) still open`);
        return { nodes: root, end: position };
      case TOKEN_FRAGMENT_HEADER:
        position += 4;
        break;
      case TOKEN_OPEN_START_ELEMENT: {
        if (pending !== undefined) throw chunk.error(position, 'element opened inside a start tag');
        if (stack.length >= MAX_ELEMENT_DEPTH)
          throw chunk.error(position, `elements nested deeper than ${MAX_ELEMENT_DEPTH}`);
        const [name, after] = readNameReference(chunk, nameFieldPosition(chunk, position), context.names);
        position = token & TOKEN_FLAG_MORE ? after + 4 : after; // attribute list size
        const element: ElementNode = { kind: NODE_ELEMENT, name, attributes: [], children: [] };
        container.push(element);
        pending = element;
        break;
      }
      case TOKEN_ATTRIBUTE: {
        if (pending === undefined) throw chunk.error(position, 'attribute outside a start tag');
        const [name, after] = readNameReference(chunk, position + 1, context.names);
        attribute = { name, value: [] };
        pending.attributes.push(attribute);
        position = after;
        break;
      }
      case TOKEN_CLOSE_START_ELEMENT:
        if (token !== TOKEN_CLOSE_START_ELEMENT || pending === undefined)
          throw chunk.error(position, 'close start tag without an open start tag');
        stack.push(pending);
        container = pending.children;
        pending = undefined;
        attribute = undefined;
        position += 1;
        break;
      case TOKEN_CLOSE_EMPTY_ELEMENT:
        if (token !== TOKEN_CLOSE_EMPTY_ELEMENT || pending === undefined)
          throw chunk.error(position, 'close empty tag without an open start tag');
        pending = undefined;
        attribute = undefined;
        position += 1;
        break;
      case TOKEN_END_ELEMENT: {
        if (token !== TOKEN_END_ELEMENT || stack.length === 0 || pending !== undefined)
          throw chunk.error(position, 'end element without an open element');
        stack.pop();
        const parent = stack[stack.length - 1];
        container = parent === undefined ? root : parent.children;
        position += 1;
        break;
      }
      case TOKEN_VALUE: {
        const [value, size] = readTokenValue(chunk, position + 2, chunk.u8(position + 1));
        addContent(chunk, position, attribute, pending, container, { kind: NODE_TEXT, value });
        position += 2 + size;
        break;
      }
      case TOKEN_CDATA_SECTION: {
        const count = chunk.u16(position + 1);
        addContent(chunk, position, attribute, pending, container, {
          kind: NODE_CDATA,
          text: readUtf16(chunk, position + 3, count * 2),
        });
        position += 3 + count * 2;
        break;
      }
      case TOKEN_CHARACTER_REFERENCE:
        addContent(chunk, position, attribute, pending, container, {
          kind: NODE_CHARACTER_REFERENCE,
          code: chunk.u16(position + 1),
        });
        position += 3;
        break;
      case TOKEN_ENTITY_REFERENCE: {
        const [name, after] = readNameReference(chunk, position + 1, context.names);
        addContent(chunk, position, attribute, pending, container, { kind: NODE_ENTITY_REFERENCE, name });
        position = after;
        break;
      }
      case TOKEN_PI_TARGET: {
        if (token !== TOKEN_PI_TARGET) throw chunk.error(position, `unknown token 0x${token.toString(16)}`);
        const [target, after] = readNameReference(chunk, position + 1, context.names);
        position = after;
        let data = '';
        if (position < end && chunk.u8(position) === TOKEN_PI_DATA) {
          const count = chunk.u16(position + 1);
          data = readUtf16(chunk, position + 3, count * 2);
          position += 3 + count * 2;
        }
        addContent(chunk, position, attribute, pending, container, {
          kind: NODE_PROCESSING_INSTRUCTION,
          target,
          data,
        });
        break;
      }
      case TOKEN_PI_DATA: {
        // Data without a target: keep it as a target-less instruction.
        const count = chunk.u16(position + 1);
        addContent(chunk, position, attribute, pending, container, {
          kind: NODE_PROCESSING_INSTRUCTION,
          target: '',
          data: readUtf16(chunk, position + 3, count * 2),
        });
        position += 3 + count * 2;
        break;
      }
      case TOKEN_NORMAL_SUBSTITUTION:
      case TOKEN_OPTIONAL_SUBSTITUTION:
        if (token & TOKEN_FLAG_MORE) throw chunk.error(position, `unknown token 0x${token.toString(16)}`);
        addContent(chunk, position, attribute, pending, container, {
          kind: NODE_SUBSTITUTION,
          index: chunk.u16(position + 1),
          valueType: chunk.u8(position + 3),
          optional: token === TOKEN_OPTIONAL_SUBSTITUTION,
        });
        position += 4;
        break;
      case TOKEN_TEMPLATE_INSTANCE: {
        if (token !== TOKEN_TEMPLATE_INSTANCE)
          throw chunk.error(position, `unknown token 0x${token.toString(16)}`);
        const [node, after] = parseTemplateInstance(context, position, end, depth);
        addContent(chunk, position, attribute, pending, container, node);
        position = after;
        break;
      }
      default:
        throw chunk.error(position, `unknown binary XML token 0x${token.toString(16)}`);
    }
  }
  if (stack.length > 0 || pending !== undefined)
    throw chunk.error(position, `binary XML ends with ${stack.length} element(s) still open`);
  return { nodes: root, end: position };
}

function noNestedValues(offset: number): never {
  throw new Error(`nested binary XML at ${offset} reached the plain value reader`);
}

/**
 * Template instance: token, unknown (1), template identifier (4), definition offset (4),
 * [the definition itself when it is stored here], value count (4), descriptors (size 2,
 * type 1, unused 1) and the values back to back.
 */
export function parseTemplateInstance(
  context: BinXmlContext,
  position: number,
  end: number,
  depth: number,
): [ContentNode, number] {
  const chunk = context.chunk;
  const definitionOffset = chunk.u32(position + 6);
  let cursor = position + 10;
  if (definitionOffset === cursor) {
    cursor += TEMPLATE_DEFINITION_HEADER_SIZE + chunk.u32(definitionOffset + 20);
  }
  const template = compileTemplate(context, definitionOffset, depth + 1);
  const count = chunk.u32(cursor);
  cursor += 4;
  if (count * 4 > end - cursor) throw chunk.error(cursor - 4, `${count} substitution values cannot fit`);
  const descriptors = cursor;
  cursor += count * 4;
  const values: EvtxValue[] = new Array(count);
  for (let index = 0; index < count; index += 1) {
    const size = chunk.u16(descriptors + index * 4);
    const type = chunk.u8(descriptors + index * 4 + 2);
    if (cursor + size > end) {
      throw chunk.error(cursor, `substitution value ${index} (${size} bytes) runs past the record`);
    }
    if (type === VALUE_NULL || size === 0) {
      values[index] = null;
    } else {
      try {
        // Nested binary XML is parsed here; other types need no closure over the context.
        values[index] =
          type === VALUE_BINXML
            ? new BinXmlFragment(parseBinXml(context, cursor, cursor + size, depth + 1).nodes)
            : readValue(chunk, cursor, size, type, noNestedValues);
      } catch (error) {
        context.report(error as FormatError);
        values[index] = null;
      }
    }
    cursor += size;
  }
  return [{ kind: NODE_TEMPLATE_INSTANCE, template, values }, cursor];
}

/**
 * Template definition (libevtx "Template definition"): next definition offset (4), GUID (16),
 * data size (4), then binary XML with substitution tokens. Compiled once per chunk into a node
 * tree (the plan) that every record using it fills with its own values.
 */
import { FormatError } from '../io/index.js';
import { type BinXmlContext, parseBinXml } from './binxml.js';
import type { CompiledTemplate } from './nodes.js';
import { formatGuid } from './values.js';

export const TEMPLATE_DEFINITION_HEADER_SIZE = 24;

/** Placeholder while a definition compiles (never returned: a cycle throws on seeing it). */
const IN_PROGRESS = new FormatError('evtx', 'template definition', 0, 'template definition in progress');

/** Returns the compiled template at `offset`, or throws the (cached) FormatError of a bad one. */
export function compileTemplate(context: BinXmlContext, offset: number, depth: number): CompiledTemplate {
  const cached = context.templates.get(offset);
  if (cached !== undefined && cached !== IN_PROGRESS) {
    if (cached instanceof FormatError) throw cached;
    return cached;
  }
  const chunk = context.chunk;
  // Marks the definition as in progress: a template that instantiates itself is a cycle. The
  // marker is shared: building an Error (stack trace) per compiled template cost more than
  // compiling small templates.
  if (context.templates.has(offset)) throw chunk.error(offset, 'template definition instantiates itself');
  context.templates.set(offset, IN_PROGRESS);
  try {
    const guid = formatGuid(chunk, offset + 4);
    const dataSize = chunk.u32(offset + 20);
    const start = offset + TEMPLATE_DEFINITION_HEADER_SIZE;
    // A zero data size is seen in the wild: then the fragment's EOF token ends it.
    const end = dataSize === 0 ? chunk.length : Math.min(chunk.length, start + dataSize);
    const { nodes } = parseBinXml(context, start, end, depth);
    const template: CompiledTemplate = { offset, guid, dataSize, nodes };
    context.templates.set(offset, template);
    return template;
  } catch (error) {
    const failure =
      error instanceof FormatError
        ? error
        : chunk.error(offset, `template definition: ${(error as Error).message}`);
    context.templates.set(offset, failure);
    throw failure;
  }
}

/** A template definition's header, as listed in the chunk's template table. */
export interface TemplateDefinitionInfo {
  offset: number;
  nextOffset: number;
  guid: string;
  dataSize: number;
}

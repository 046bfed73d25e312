/**
 * The parsed form of binary XML: a template definition compiles once into this tree (its
 * "plan"); a record only adds the substitution values of its template instance.
 * Everything here is plain data, independent of the chunk's bytes, so a record can be
 * rendered (JSON or XML) after the chunk buffer is gone.
 */

export const NODE_ELEMENT = 1;
export const NODE_TEXT = 2;
export const NODE_SUBSTITUTION = 3;
export const NODE_ENTITY_REFERENCE = 4;
export const NODE_CDATA = 5;
export const NODE_CHARACTER_REFERENCE = 6;
export const NODE_PROCESSING_INSTRUCTION = 7;
export const NODE_TEMPLATE_INSTANCE = 8;

export interface ElementNode {
  kind: typeof NODE_ELEMENT;
  name: string;
  attributes: AttributeNode[];
  children: ContentNode[];
}

export interface AttributeNode {
  name: string;
  value: ContentNode[];
}

/** A value token (0x05): literal text, or a typed literal. */
export interface TextNode {
  kind: typeof NODE_TEXT;
  value: EvtxValue;
}

export interface SubstitutionNode {
  kind: typeof NODE_SUBSTITUTION;
  index: number;
  valueType: number;
  /** Optional (0x0e): a null value removes the attribute instead of rendering it empty. */
  optional: boolean;
}

export interface EntityReferenceNode {
  kind: typeof NODE_ENTITY_REFERENCE;
  name: string;
}

export interface CDataNode {
  kind: typeof NODE_CDATA;
  text: string;
}

export interface CharacterReferenceNode {
  kind: typeof NODE_CHARACTER_REFERENCE;
  code: number;
}

export interface ProcessingInstructionNode {
  kind: typeof NODE_PROCESSING_INSTRUCTION;
  target: string;
  data: string;
}

export interface TemplateInstanceNode {
  kind: typeof NODE_TEMPLATE_INSTANCE;
  /** Compiled template (shared by every record of the chunk using it). */
  template: CompiledTemplate;
  values: EvtxValue[];
}

export type ContentNode =
  | ElementNode
  | TextNode
  | SubstitutionNode
  | EntityReferenceNode
  | CDataNode
  | CharacterReferenceNode
  | ProcessingInstructionNode
  | TemplateInstanceNode;

export interface CompiledTemplate {
  /** Chunk-relative offset of the template definition. */
  offset: number;
  guid: string;
  dataSize: number;
  nodes: ContentNode[];
}

/** A nested binary XML value (substitution type 0x21), rendered in place. */
export class BinXmlFragment {
  readonly nodes: ContentNode[];
  constructor(nodes: ContentNode[]) {
    this.nodes = nodes;
  }
}

/**
 * A decoded substitution value, already in its rendered (JSON) form: strings, numbers,
 * booleans, null, arrays (type | 0x80); 64-bit integers beyond 2^53 as decimal strings;
 * times as ISO 8601 text; binary as hex; nested binary XML as a fragment.
 */
export type EvtxScalar = string | number | boolean | null;
export type EvtxValue = EvtxScalar | EvtxScalar[] | BinXmlFragment;

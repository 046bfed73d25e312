/**
 * Renders the node tree of a record to JSON, in the shape of omerbenamram/evtx's JSON output:
 * - an element with neither attributes nor child elements is its text value (typed when the
 *   text is one substitution: number, boolean, array...; null when empty);
 * - otherwise an object: "#attributes" (name -> value), child elements by name (an array when
 *   a name repeats), and "#text" when there is text beside them;
 * - <Data Name="X">v</Data> (the EventData convention) becomes "X": v;
 * - nested binary XML values and template instances are rendered in place.
 * Optional substitutions that are null remove their attribute (as Windows renders them).
 */
import { setOwn } from '../io/own-key.js';
import {
  type AttributeNode,
  BinXmlFragment,
  type ContentNode,
  type ElementNode,
  type EvtxValue,
  NODE_CDATA,
  NODE_CHARACTER_REFERENCE,
  NODE_ELEMENT,
  NODE_ENTITY_REFERENCE,
  NODE_SUBSTITUTION,
  NODE_TEMPLATE_INSTANCE,
  NODE_TEXT,
} from './nodes.js';

export type EvtxJson = string | number | boolean | null | EvtxJson[] | { [key: string]: EvtxJson };
export type EvtxJsonObject = { [key: string]: EvtxJson };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function entityText(name: string): string {
  return ENTITIES[name] ?? `&${name};`;
}

/** Text form of a value, as XML shows it. */
export function valueText(value: EvtxValue | EvtxJson): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join(',');
  return '';
}

interface Builder {
  out: EvtxJsonObject;
  /** Keys already turned into arrays because a name repeated. */
  multi: Set<string> | undefined;
  children: number;
  /** Text parts; allocated on the first one (most elements hold one value or only children). */
  text: EvtxJson[] | undefined;
}

function addText(builder: Builder, value: EvtxJson): void {
  if (builder.text === undefined) builder.text = [value];
  else builder.text.push(value);
}

function addChild(builder: Builder, key: string, value: EvtxJson): void {
  const out = builder.out;
  builder.children += 1;
  if (!Object.hasOwn(out, key)) {
    setOwn(out, key, value);
  } else if (builder.multi?.has(key)) {
    (out[key] as EvtxJson[]).push(value);
  } else {
    setOwn(out, key, [out[key]!, value]);
    builder.multi ??= new Set();
    builder.multi.add(key);
  }
}

/**
 * Work budget per record: templates may share sub-templates, so a crafted chunk could make a
 * small tree render exponentially. Past the budget the rest of the record is left out.
 */
export const RENDER_NODE_BUDGET = 1_000_000;
let budget = RENDER_NODE_BUDGET;

function collect(nodes: ContentNode[], values: EvtxValue[], builder: Builder, depth: number): void {
  budget -= nodes.length;
  if (budget < 0) return;
  for (const node of nodes) {
    switch (node.kind) {
      case NODE_ELEMENT:
        renderElement(node, values, builder, depth);
        break;
      case NODE_TEXT:
        if (node.value !== null && !(node.value instanceof BinXmlFragment)) addText(builder, node.value);
        break;
      case NODE_SUBSTITUTION: {
        const value = values[node.index];
        if (value instanceof BinXmlFragment) collect(value.nodes, [], builder, depth + 1);
        else if (value !== undefined && value !== null) addText(builder, value);
        break;
      }
      case NODE_TEMPLATE_INSTANCE:
        collect(node.template.nodes, node.values, builder, depth + 1);
        break;
      case NODE_ENTITY_REFERENCE:
        addText(builder, entityText(node.name));
        break;
      case NODE_CDATA:
        addText(builder, node.text);
        break;
      case NODE_CHARACTER_REFERENCE:
        addText(builder, String.fromCharCode(node.code));
        break;
      default:
        // Processing instructions carry no event data.
        break;
    }
  }
}

function textValue(parts: EvtxJson[] | undefined): EvtxJson | undefined {
  if (parts === undefined || parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0]!;
  let text = '';
  for (const part of parts) text += valueText(part);
  return text;
}

/** An attribute's value; undefined when an optional substitution removes it. */
export function attributeValue(attribute: AttributeNode, values: EvtxValue[]): EvtxJson | undefined {
  const parts = attribute.value;
  if (parts.length === 1) {
    const part = parts[0]!;
    if (part.kind === NODE_SUBSTITUTION) {
      const value = values[part.index];
      if (value === undefined || value === null) return part.optional ? undefined : '';
      if (value instanceof BinXmlFragment) return '';
      return value;
    }
  }
  let text = '';
  for (const part of parts) {
    switch (part.kind) {
      case NODE_TEXT:
        text += valueText(part.value);
        break;
      case NODE_SUBSTITUTION: {
        const value = values[part.index];
        if (value !== undefined && !(value instanceof BinXmlFragment)) text += valueText(value);
        break;
      }
      case NODE_ENTITY_REFERENCE:
        text += entityText(part.name);
        break;
      case NODE_CHARACTER_REFERENCE:
        text += String.fromCharCode(part.code);
        break;
      case NODE_CDATA:
        text += part.text;
        break;
      default:
        break;
    }
  }
  return text;
}

function renderElement(element: ElementNode, values: EvtxValue[], parent: Builder, depth: number): void {
  let attributes: EvtxJsonObject | undefined;
  let count = 0;
  for (const attribute of element.attributes) {
    const value = attributeValue(attribute, values);
    if (value === undefined) continue;
    attributes ??= {};
    setOwn(attributes, attribute.name, value);
    count += 1;
  }
  // Most elements hold nothing or one value (<EventID>{sub}</EventID>, <Data Name="X">{sub}</Data>):
  // their text is that value, no builder needed.
  const children = element.children;
  let simple = children.length === 0;
  let text: EvtxJson | undefined;
  if (children.length === 1) {
    const child = children[0]!;
    const value =
      child.kind === NODE_SUBSTITUTION
        ? values[child.index]
        : child.kind === NODE_TEXT
          ? child.value
          : undefined;
    if (
      (child.kind === NODE_SUBSTITUTION || child.kind === NODE_TEXT) &&
      !(value instanceof BinXmlFragment)
    ) {
      simple = true;
      budget -= 1;
      text = value === undefined || value === null || budget < 0 ? undefined : value;
    }
  }
  if (simple) {
    if (attributes === undefined) {
      addChild(parent, element.name, text ?? null);
      return;
    }
    const name = attributes.Name;
    if (count === 1 && element.name === 'Data' && typeof name === 'string' && name !== '') {
      addChild(parent, name, text ?? null);
      return;
    }
    addChild(
      parent,
      element.name,
      text === undefined ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text },
    );
    return;
  }
  const builder: Builder = { out: {}, multi: undefined, children: 0, text: undefined };
  if (attributes !== undefined) builder.out['#attributes'] = attributes;
  collect(children, values, builder, depth);
  text = textValue(builder.text);
  if (builder.children === 0) {
    if (attributes === undefined) {
      addChild(parent, element.name, text ?? null);
      return;
    }
    const name = attributes.Name;
    if (count === 1 && element.name === 'Data' && typeof name === 'string' && name !== '') {
      addChild(parent, name, text ?? null);
      return;
    }
  }
  if (text !== undefined) builder.out['#text'] = text;
  addChild(parent, element.name, builder.out);
}

/** The JSON object of a record's binary XML (normally `{ Event: {...} }`). */
export function renderJson(nodes: ContentNode[], values: EvtxValue[] = []): EvtxJsonObject {
  const builder: Builder = { out: {}, multi: undefined, children: 0, text: undefined };
  budget = RENDER_NODE_BUDGET;
  collect(nodes, values, builder, 0);
  return builder.out;
}

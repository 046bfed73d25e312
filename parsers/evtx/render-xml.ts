/**
 * Renders a record's node tree to XML text, indented two spaces per level like evtxexport.
 * An element whose only content is an array substitution is repeated once per item (as
 * Windows renders array values); optional substitutions that are null remove their attribute.
 */
import {
  BinXmlFragment,
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
import { attributeValue, RENDER_NODE_BUDGET, valueText } from './render-json.js';

const NEEDS_ESCAPE = /[&<>"]/;

export function escapeXml(text: string): string {
  // Most values hold nothing to escape: a test is much cheaper than a replace with a callback.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"]/g, (character) =>
    character === '&' ? '&amp;' : character === '<' ? '&lt;' : character === '>' ? '&gt;' : '&quot;',
  );
}

/** One shape for every item (all fields present): the writer's property reads stay monomorphic. */
interface Item {
  element: ElementNode | undefined;
  values: EvtxValue[];
  text: string | undefined;
  markup: string | undefined;
}

function item(
  element: ElementNode | undefined,
  values: EvtxValue[],
  text: string | undefined,
  markup: string | undefined,
): Item {
  return { element, values, text, markup };
}

/** Flattens template instances and nested fragments into elements and text, in order. */
function flatten(nodes: ContentNode[], values: EvtxValue[], out: Item[], state: { budget: number }): void {
  state.budget -= nodes.length;
  if (state.budget < 0) return;
  for (const node of nodes) {
    switch (node.kind) {
      case NODE_ELEMENT:
        out.push(item(node, values, undefined, undefined));
        break;
      case NODE_TEXT:
        out.push(
          item(
            undefined,
            values,
            valueText(node.value instanceof BinXmlFragment ? null : node.value),
            undefined,
          ),
        );
        break;
      case NODE_SUBSTITUTION: {
        const value = values[node.index];
        if (value instanceof BinXmlFragment) flatten(value.nodes, [], out, state);
        else if (value !== undefined && value !== null)
          out.push(item(undefined, values, valueText(value), undefined));
        break;
      }
      case NODE_TEMPLATE_INSTANCE:
        flatten(node.template.nodes, node.values, out, state);
        break;
      case NODE_ENTITY_REFERENCE:
        out.push(item(undefined, values, undefined, `&${node.name};`));
        break;
      case NODE_CHARACTER_REFERENCE:
        out.push(item(undefined, values, undefined, `&#${node.code};`));
        break;
      case NODE_CDATA:
        out.push(item(undefined, values, undefined, `<![CDATA[${node.text}]]>`));
        break;
      case NODE_PROCESSING_INSTRUCTION:
        out.push(
          item(undefined, values, undefined, `<?${node.target}${node.data === '' ? '' : ` ${node.data}`}?>`),
        );
        break;
    }
  }
}

function writeElement(
  element: ElementNode,
  values: EvtxValue[],
  indent: string,
  lines: string[],
  state: { budget: number },
): void {
  let start = `${indent}<${element.name}`;
  for (const attribute of element.attributes) {
    const value = attributeValue(attribute, values);
    if (value === undefined) continue;
    start += ` ${attribute.name}="${escapeXml(valueText(value))}"`;
  }
  // Array value as the sole content: one element per item.
  const only = element.children.length === 1 ? element.children[0] : undefined;
  if (only !== undefined && only.kind === NODE_SUBSTITUTION) {
    const value = values[only.index];
    if (Array.isArray(value)) {
      for (const item of value) lines.push(`${start}>${escapeXml(valueText(item))}</${element.name}>`);
      if (value.length === 0) lines.push(`${start}/>`);
      return;
    }
  }
  const items: Item[] = [];
  flatten(element.children, values, items, state);
  if (items.length === 0) {
    lines.push(`${start}/>`);
    return;
  }
  if (!hasElement(items)) {
    let text = '';
    for (const entry of items)
      text += entry.text !== undefined ? escapeXml(entry.text) : (entry.markup ?? '');
    lines.push(`${start}>${text}</${element.name}>`);
    return;
  }
  lines.push(`${start}>`);
  writeItems(items, `${indent}  `, lines, state);
  lines.push(`${indent}</${element.name}>`);
}

function hasElement(items: Item[]): boolean {
  for (const entry of items) if (entry.element !== undefined) return true;
  return false;
}

function writeItems(items: Item[], indent: string, lines: string[], state: { budget: number }): void {
  for (const entry of items) {
    if (entry.element !== undefined) writeElement(entry.element, entry.values, indent, lines, state);
    else if (entry.text !== undefined) lines.push(`${indent}${escapeXml(entry.text)}`);
    else if (entry.markup !== undefined) lines.push(`${indent}${entry.markup}`);
  }
}

/** XML text of a record's binary XML. */
export function renderXml(nodes: ContentNode[], values: EvtxValue[] = []): string {
  const state = { budget: RENDER_NODE_BUDGET };
  const items: Item[] = [];
  flatten(nodes, values, items, state);
  const lines: string[] = [];
  writeItems(items, '', lines, state);
  return `${lines.join('\n')}\n`;
}

/** The XML renderer as it was before the fast paths (commit efb2633), kept as the reference the fast one must equal. */
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
} from '../nodes.js';
import { attributeValue, RENDER_NODE_BUDGET, valueText } from './render-json-reference.js';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (character) =>
    character === '&' ? '&amp;' : character === '<' ? '&lt;' : character === '>' ? '&gt;' : '&quot;',
  );
}

interface Item {
  element?: ElementNode;
  values: EvtxValue[];
  text?: string;
  markup?: string;
}

/** Flattens template instances and nested fragments into elements and text, in order. */
function flatten(nodes: ContentNode[], values: EvtxValue[], out: Item[], state: { budget: number }): void {
  state.budget -= nodes.length;
  if (state.budget < 0) return;
  for (const node of nodes) {
    switch (node.kind) {
      case NODE_ELEMENT:
        out.push({ element: node, values });
        break;
      case NODE_TEXT:
        out.push({ values, text: valueText(node.value instanceof BinXmlFragment ? null : node.value) });
        break;
      case NODE_SUBSTITUTION: {
        const value = values[node.index];
        if (value instanceof BinXmlFragment) flatten(value.nodes, [], out, state);
        else if (value !== undefined && value !== null) out.push({ values, text: valueText(value) });
        break;
      }
      case NODE_TEMPLATE_INSTANCE:
        flatten(node.template.nodes, node.values, out, state);
        break;
      case NODE_ENTITY_REFERENCE:
        out.push({ values, markup: `&${node.name};` });
        break;
      case NODE_CHARACTER_REFERENCE:
        out.push({ values, markup: `&#${node.code};` });
        break;
      case NODE_CDATA:
        out.push({ values, markup: `<![CDATA[${node.text}]]>` });
        break;
      case NODE_PROCESSING_INSTRUCTION:
        out.push({ values, markup: `<?${node.target}${node.data === '' ? '' : ` ${node.data}`}?>` });
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
  if (!items.some((item) => item.element !== undefined)) {
    let text = '';
    for (const item of items) text += item.text !== undefined ? escapeXml(item.text) : (item.markup ?? '');
    lines.push(`${start}>${text}</${element.name}>`);
    return;
  }
  lines.push(`${start}>`);
  writeItems(items, `${indent}  `, lines, state);
  lines.push(`${indent}</${element.name}>`);
}

function writeItems(items: Item[], indent: string, lines: string[], state: { budget: number }): void {
  for (const item of items) {
    if (item.element !== undefined) writeElement(item.element, item.values, indent, lines, state);
    else if (item.text !== undefined) lines.push(`${indent}${escapeXml(item.text)}`);
    else if (item.markup !== undefined) lines.push(`${indent}${item.markup}`);
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

/**
 * The few SVG primitives the charts are built from: escaped text, elements with rounded
 * coordinates, and an estimate of text width (there is no layout engine to ask).
 */

/** Attribute values; `undefined` leaves the attribute out. */
export type Attributes = Readonly<Record<string, string | number | undefined>>;

/** Text safe inside an XML/HTML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return String(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A coordinate with at most two decimals; never NaN or Infinity in the output. */
export function coordinate(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Math.round(value * 100) / 100);
}

/** `<name attrs>children</name>`, or self-closing without children. Numbers are rounded; text children must be escaped by the caller. */
export function element(name: string, attributes: Attributes, children: string | readonly string[] = ''): string {
  const attributeText = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? coordinate(value) : escapeXml(value)}"`)
    .join('');
  const content = typeof children === 'string' ? children : children.join('');
  return content === '' ? `<${name}${attributeText}/>` : `<${name}${attributeText}>${content}</${name}>`;
}

/** A `<text>` element holding `text`, escaped. */
export function text(content: string, attributes: Attributes): string {
  return element('text', attributes, escapeXml(content));
}

/** A tooltip: a `<title>` child, which browsers show on hover and screen readers read. */
export function tooltip(content: string): string {
  return element('title', {}, escapeXml(content));
}

/**
 * Approximate width of `content` in the chart font (system sans-serif) at `fontSize` pixels:
 * generous, so labels sized by it do not collide.
 */
export function textWidth(content: string, fontSize: number): number {
  let units = 0;
  for (const char of content) {
    if ("il.,:;|!'’ ".includes(char)) units += 0.3;
    else if ('mwMW@%'.includes(char)) units += 0.9;
    else if (char >= 'A' && char <= 'Z') units += 0.68;
    else units += 0.58;
  }
  return units * fontSize;
}

/** `content`, cut with an ellipsis to fit `maxWidth` pixels. */
export function truncateText(content: string, maxWidth: number, fontSize: number): string {
  if (textWidth(content, fontSize) <= maxWidth) return content;
  const chars = [...content];
  while (chars.length > 1 && textWidth(chars.join('') + '…', fontSize) > maxWidth) chars.pop();
  return chars.join('') + '…';
}

/** An SVG path through the points, `M x y L x y …`. */
export function polyline(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${coordinate(x)} ${coordinate(y)}`).join(' ');
}

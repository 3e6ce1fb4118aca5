/**
 * Small DOM helpers. Renderers run on untrusted notebooks: text from the data
 * only ever goes through `textContent`, never `innerHTML`.
 */

/** Creates an element with a class and, optionally, plain text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A readable error box shown inside the output instead of the broken content. */
export function errorBox(message: string): HTMLElement {
  const box = el('div', 'jp-Pretext-error');
  box.setAttribute('role', 'alert');
  box.textContent = message;
  return box;
}

/** Sets an element's text only when it changed, so live updates do not churn the DOM. */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** Writes a `data-*` attribute only when it differs (absent when `value` is undefined), so an
 * unchanged node is not touched at all. */
export function setData(node: HTMLElement, key: string, value: string | undefined): void {
  if (value === undefined) {
    if (key in node.dataset) {
      delete node.dataset[key];
    }
  } else if (node.dataset[key] !== value) {
    node.dataset[key] = value;
  }
}

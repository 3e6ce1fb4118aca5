/**
 * The runs browser's filter menus (method, dataset, status), rebuilt only when the values
 * they offer change: a rebuilt <select> would lose its focus.
 */
import { el } from '../renderers/dom';
import { FILTER_FIELDS, FilterField, IRunFilter } from '../runs/filter';

const FILTER_LABELS: Record<FilterField, string> = {
  method: 'method',
  dataset: 'dataset',
  status: 'status'
};

export class RunFilters {
  /** `onChange` receives every menu's value ('' for any). */
  constructor(onChange: (filter: IRunFilter) => void) {
    for (const field of FILTER_FIELDS) {
      const select = el('select', 'jp-PretextPanel-filter');
      select.dataset.pretextFilter = field;
      select.title = `Show only runs with this ${FILTER_LABELS[field]}`;
      select.addEventListener('change', () => onChange(this._values()));
      this._selects[field] = select;
    }
  }

  /** The menus, in toolbar order. */
  get nodes(): HTMLSelectElement[] {
    return FILTER_FIELDS.map(field => this._selects[field]!);
  }

  render(choices: Readonly<Record<FilterField, string[]>>, filter: Readonly<IRunFilter>): void {
    for (const field of FILTER_FIELDS) {
      const select = this._selects[field]!;
      const current = filter[field] ?? '';
      const values =
        choices[field].includes(current) || current === ''
          ? choices[field]
          : [...choices[field], current];
      const key = JSON.stringify([values, current]);
      if (this._keys[field] === key) {
        continue;
      }
      this._keys[field] = key;
      const any = el('option', undefined, `any ${FILTER_LABELS[field]}`);
      any.value = '';
      select.replaceChildren(
        any,
        ...values.map(value => {
          const option = el('option', undefined, value);
          option.value = value;
          return option;
        })
      );
      select.value = current;
    }
  }

  private _values(): IRunFilter {
    const filter: IRunFilter = {};
    for (const field of FILTER_FIELDS) {
      filter[field] = this._selects[field]!.value;
    }
    return filter;
  }

  private _selects: Partial<Record<FilterField, HTMLSelectElement>> = {};
  private _keys: Partial<Record<FilterField, string>> = {};
}

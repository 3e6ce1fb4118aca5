/**
 * The runs browser's list: one row per run (tick for Compare, a button that opens the run,
 * label, meta line and source badge), keyed by run id and brought up to date in place, so
 * a ticked or focused row keeps its tick and focus while a run trains.
 */
import { el, setText } from '../renderers/dom';
import { runMeta } from '../runs/describe';
import { runSource, sourceLabel, sourceTitle } from '../runs/mlflow';
import { RunEntry, runLabel } from '../runs/parse';
import { setData } from './set-data';

/** What the rows report to the section that owns the selection and the details view. */
export interface IRunRowsCallbacks {
  /** A row's tick changed. */
  onSelect(id: string, selected: boolean): void;
  /** A row's open button was clicked. */
  onOpen(id: string): void;
}

/** What a row shows besides its run: whether it is open, whether it is ticked. */
export interface IRunRowsState {
  open: string | null;
  selected: ReadonlySet<string>;
}

/** One row's elements, kept across refreshes. */
interface IRowView {
  row: HTMLLIElement;
  check: HTMLInputElement;
  open: HTMLButtonElement;
  label: HTMLSpanElement;
  meta: HTMLSpanElement;
  source: HTMLSpanElement;
}

export class RunRows {
  constructor(callbacks: IRunRowsCallbacks) {
    this._callbacks = callbacks;
    this.node.dataset.pretextRole = 'run-list';
  }

  readonly node = el('ul', 'jp-PretextPanel-runList');

  /**
   * Brings the list to `shown` in place: rows of runs no longer shown are removed, new ones
   * created, the others only updated, and a row is moved only when it is out of order
   * (moving a node would take the focus from it).
   */
  render(shown: readonly RunEntry[], state: IRunRowsState): void {
    const ids = new Set(shown.map(run => run.id));
    for (const [id, view] of this._rows) {
      if (!ids.has(id)) {
        view.row.remove();
        this._rows.delete(id);
      }
    }
    shown.forEach((run, index) => {
      let view = this._rows.get(run.id);
      if (view === undefined) {
        view = this._createRow(run.id);
        this._rows.set(run.id, view);
      }
      this._updateRow(view, run, state);
      const here = this.node.children.item(index);
      if (here !== view.row) {
        this.node.insertBefore(view.row, here);
      }
    });
  }

  /** Marks the open run's row as active, and only it. */
  setActive(id: string): void {
    for (const row of this.node.querySelectorAll<HTMLElement>('.jp-PretextPanel-run')) {
      row.classList.toggle('jp-mod-active', row.dataset.pretextRun === id);
    }
  }

  private _createRow(id: string): IRowView {
    const row = el('li', 'jp-PretextPanel-run');
    row.dataset.pretextRun = id;
    const check = el('input', 'jp-PretextPanel-runCheck');
    check.type = 'checkbox';
    check.dataset.pretextAction = 'select';
    check.title = 'Select for Compare';
    check.addEventListener('change', () => this._callbacks.onSelect(id, check.checked));
    const open = el('button', 'jp-PretextPanel-runOpen');
    open.type = 'button';
    open.dataset.pretextAction = 'open';
    open.title = 'Show config, summary and metrics';
    open.addEventListener('click', () => this._callbacks.onOpen(id));
    const label = el('span', 'jp-PretextPanel-runLabel');
    const meta = el('span', 'jp-PretextPanel-runMeta');
    const source = el('span', 'jp-PretextPanel-runSource');
    source.dataset.pretextRole = 'run-source';
    open.append(label, meta, source);
    row.append(check, open);
    return { row, check, open, label, meta, source };
  }

  private _updateRow(view: IRowView, run: RunEntry, state: IRunRowsState): void {
    const { row, check, open } = view;
    setData(row, 'pretextKind', run.kind);
    setData(row, 'pretextSource', runSource(run));
    row.classList.toggle('jp-mod-active', run.id === state.open);
    row.classList.toggle('jp-mod-unreadable', run.kind !== 'run');
    const readable = run.kind === 'run';
    if (check.disabled === readable) {
      check.disabled = !readable;
    }
    const selected = state.selected.has(run.id);
    if (check.checked !== selected) {
      check.checked = selected;
    }
    if (open.disabled === readable) {
      open.disabled = !readable;
    }
    setData(open, 'pretextStatus', run.kind === 'run' ? run.status : undefined);
    setText(view.label, runLabel(run));
    setText(view.meta, runMeta(run));
    setText(view.source, sourceLabel(run));
    view.source.title = sourceTitle(run);
  }

  private _callbacks: IRunRowsCallbacks;
  private _rows = new Map<string, IRowView>();
}

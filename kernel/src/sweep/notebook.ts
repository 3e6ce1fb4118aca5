/**
 * The notebook side of a sweep: its `parameters` cell (papermill's convention) and the
 * parameters that cell declares, so a sweep checks every name and type before it runs
 * anything. Declared parameters are the keys of `px.params({ small, full })` (both sizes):
 * what the injected cell can set (plain `const`s in the cell cannot be reassigned).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { PretextError } from '../util/errors';

interface NotebookJson {
  cells?: { cell_type?: string; source?: string | string[]; metadata?: { tags?: string[] } }[];
  metadata?: { kernelspec?: { name?: string } };
}

export interface NotebookParameters {
  /** Name → default value (the small size's, else the full size's). */
  declared: Record<string, unknown>;
  kernel: string | undefined;
}

const text = (source: string | string[] | undefined): string =>
  Array.isArray(source) ? source.join('') : (source ?? '');

/** A literal's value, or undefined when it is not a literal (computed defaults accept anything). */
function literal(node: ts.Expression): { value: unknown } | undefined {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) {
    return literal(node.expression);
  }
  if (ts.isNumericLiteral(node)) {
    return { value: Number(node.text) };
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return { value: node.text };
  }
  if (node.kind === ts.SyntaxKind.TrueKeyword) {
    return { value: true };
  }
  if (node.kind === ts.SyntaxKind.FalseKeyword) {
    return { value: false };
  }
  if (node.kind === ts.SyntaxKind.NullKeyword) {
    return { value: null };
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const inner = literal(node.operand);
    return inner && typeof inner.value === 'number' ? { value: -inner.value } : undefined;
  }
  if (ts.isArrayLiteralExpression(node)) {
    return { value: [] };
  }
  if (ts.isObjectLiteralExpression(node)) {
    return { value: {} };
  }
  return undefined;
}

function objectEntries(node: ts.ObjectLiteralExpression): [string, ts.Expression][] {
  const entries: [string, ts.Expression][] = [];
  for (const property of node.properties) {
    if (ts.isPropertyAssignment(property)) {
      const name = property.name;
      if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) {
        entries.push([name.text, property.initializer]);
      }
    } else if (ts.isShorthandPropertyAssignment(property)) {
      entries.push([property.name.text, property.name]);
    }
  }
  return entries;
}

/** Parameters declared by one cell's TypeScript source. */
export function declaredParameters(source: string): Record<string, unknown> {
  const file = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.ES2022, true);
  const declared: Record<string, unknown> = {};
  const add = (name: string, expression: ts.Expression) => {
    if (name in declared && declared[name] !== null) {
      return;
    }
    // A computed default is declared with no kind (null accepts any value).
    declared[name] = literal(expression)?.value ?? null;
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ((ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'params') ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'params')) &&
      node.arguments[0] &&
      ts.isObjectLiteralExpression(node.arguments[0])
    ) {
      for (const [size, value] of objectEntries(node.arguments[0])) {
        if ((size === 'small' || size === 'full') && ts.isObjectLiteralExpression(value)) {
          for (const [name, expression] of objectEntries(value)) {
            add(name, expression);
          }
        }
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of file.statements) {
    visit(statement);
  }
  return declared;
}

/** Reads a notebook's parameters cell, or explains what is missing. */
export function readNotebookParameters(file: string): NotebookParameters {
  let notebook: NotebookJson;
  try {
    notebook = JSON.parse(readFileSync(file, 'utf8')) as NotebookJson;
  } catch (error) {
    throw new PretextError(
      `Cannot read the notebook ${file}: ${(error as Error).message.split('\n')[0]}`,
      'Pass the path of a .ipynb file.'
    );
  }
  const cell = (notebook.cells ?? []).find(
    c => c.cell_type === 'code' && (c.metadata?.tags ?? []).includes('parameters')
  );
  if (!cell) {
    throw new PretextError(
      `The notebook ${file} has no cell tagged 'parameters', so a sweep cannot set its values.`,
      "Tag the cell that calls px.params (JupyterLab: Property Inspector > Cell Tags > 'parameters')."
    );
  }
  const declared = declaredParameters(text(cell.source));
  if (Object.keys(declared).length === 0) {
    throw new PretextError(
      `The parameters cell of ${file} declares no parameters.`,
      'Declare them there: const P = px.params({ small: { temperature: 0.2 }, full: { ... } }).'
    );
  }
  return { declared, kernel: notebook.metadata?.kernelspec?.name };
}

/**
 * Spells out, in a notebook cell, the property names that tslab mistakes for variables.
 *
 * Why: tslab turns a name declared in an earlier cell into `exports.name`, and it finds those
 * names with `checker.getSymbolAtLocation`. Two places go wrong:
 * - a shorthand property `{ augment }`: the lookup returns the property's symbol, not the
 *   variable's, so `augment` stays bare and throws a ReferenceError in the later cell;
 * - a property name in a destructuring pattern, `const { outer: { list } } = nested` or
 *   `({ outer: o } = nested)`, when `nested` comes from an earlier cell: the lookup returns the
 *   property declared there, and tslab rewrites the property name into invalid code.
 * So `{ augment }` becomes `{ "augment": augment }` and those property names become string
 * keys (`{ "outer": { "list": list } }`): the same meaning, but only the values are
 * identifiers, which tslab then rewrites correctly.
 *
 * The cell is parsed with tslab's own TypeScript and only those spots change, so everything
 * else (strings, comments, template text, line numbers in diagnostics) stays as typed.
 * Declared names (`const { a } = obj`, `const [b] = xs`) are not touched.
 */
'use strict';

/** True when `node` (an object or array literal) is written to: left of `=`, or for-in/of. */
function isAssignmentTarget(ts, node) {
  let child = node;
  let parent = node.parent;
  while (parent) {
    if (ts.isPropertyAssignment(parent)) {
      if (parent.initializer !== child) {
        return false;
      }
    } else if (
      !ts.isParenthesizedExpression(parent) &&
      !ts.isObjectLiteralExpression(parent) &&
      !ts.isArrayLiteralExpression(parent) &&
      !ts.isSpreadAssignment(parent) &&
      !ts.isSpreadElement(parent)
    ) {
      if (ts.isBinaryExpression(parent)) {
        return parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.left === child;
      }
      if (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) {
        return parent.initializer === child;
      }
      return false;
    }
    child = parent;
    parent = parent.parent;
  }
  return false;
}

/** A property name as a string key; `__proto__` is left alone (quoted, it sets the prototype). */
const quoted = name => (name.text === '__proto__' ? undefined : JSON.stringify(name.text));

/**
 * The cell's source with those property names spelled out, or the source unchanged when there
 * are none (or it does not parse: tslab then reports the syntax error as typed).
 */
function expandShorthand(ts, source, fileName = 'cell.ts') {
  if (!source.includes('{')) {
    return source;
  }
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  if (file.parseDiagnostics && file.parseDiagnostics.length > 0) {
    return source;
  }
  const edits = [];
  const rename = name => {
    const key = quoted(name);
    if (key) {
      edits.push({ start: name.getStart(file), end: name.end, text: key });
    }
  };
  const visit = node => {
    if (ts.isShorthandPropertyAssignment(node)) {
      const key = quoted(node.name);
      const at = node.name.getStart(file);
      if (key) {
        edits.push({ start: at, end: at, text: `${key}: ` });
      }
    } else if (
      ts.isBindingElement(node) &&
      node.propertyName &&
      ts.isIdentifier(node.propertyName)
    ) {
      rename(node.propertyName);
    } else if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      isAssignmentTarget(ts, node.parent)
    ) {
      rename(node.name);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (edits.length === 0) {
    return source;
  }
  let out = '';
  let last = 0;
  for (const { start, end, text } of edits.sort((a, b) => a.start - b.start)) {
    out += source.slice(last, start) + text;
    last = end;
  }
  return out + source.slice(last);
}

/** Makes tslab's converters expand shorthand properties before compiling a cell. */
function patchConverter(ts, converterModule) {
  const create = converterModule.createConverter;
  converterModule.createConverter = (...args) => {
    const converter = create(...args);
    const convert = converter.convert;
    converter.convert = (prevDecl, src) => convert(prevDecl, expandShorthand(ts, src));
    return converter;
  };
}

module.exports = { expandShorthand, patchConverter };

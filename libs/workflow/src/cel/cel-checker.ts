import type { Constant, Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import {
  BOOL,
  DOUBLE,
  DYN,
  INT,
  isNumeric,
  join,
  listOf,
  NULL,
  STRING,
  TIMESTAMP,
  aType,
  type CheckType,
} from './cel-type.js';

/** Something that makes an expression wrong before any run: where (an offset in its text) and why. */
export interface CheckProblem {
  message: string;
  /** 0-based offset in the expression's text. */
  offset?: number;
}

export interface Checked {
  /** The expression's type, as far as it is known before a run. */
  type: CheckType;
  problems: CheckProblem[];
}

/** The names an expression may use, and their types. */
export interface Variables {
  get(name: string): CheckType | undefined;
  names(): string[];
}

/** Declared variables; `open` makes any other name a run value of unknown type. */
export function variables(declared: Record<string, CheckType>, open = false): Variables {
  return {
    get: (name) => declared[name] ?? (open ? DYN : undefined),
    names: () => Object.keys(declared),
  };
}

type Scope = Variables;

function extend(scope: Scope, inner: Record<string, CheckType>): Scope {
  return {
    get: (name) => inner[name] ?? scope.get(name),
    names: () => scope.names(),
  };
}

/** Functions called as `f(x)`: argument counts and the result type. */
const FUNCTIONS: Record<string, { args: [number, number]; result: CheckType }> = {
  size: { args: [1, 1], result: INT },
  int: { args: [1, 1], result: INT },
  uint: { args: [1, 1], result: INT },
  double: { args: [1, 1], result: DOUBLE },
  string: { args: [1, 1], result: STRING },
  bool: { args: [1, 1], result: BOOL },
  bytes: { args: [1, 1], result: DYN },
  dyn: { args: [1, 1], result: DYN },
  timestamp: { args: [1, 1], result: TIMESTAMP },
  duration: { args: [1, 1], result: DYN },
};

/** Methods called as `x.f()`: what they apply to, argument counts, the result type. */
const METHODS: Record<
  string,
  { on: 'string' | 'list' | 'any'; args: [number, number]; result: CheckType }
> = {
  size: { on: 'any', args: [0, 0], result: INT },
  contains: { on: 'string', args: [1, 1], result: BOOL },
  startsWith: { on: 'string', args: [1, 1], result: BOOL },
  endsWith: { on: 'string', args: [1, 1], result: BOOL },
  matches: { on: 'string', args: [1, 1], result: BOOL },
  charAt: { on: 'string', args: [1, 1], result: STRING },
  indexOf: { on: 'string', args: [1, 2], result: INT },
  lastIndexOf: { on: 'string', args: [1, 2], result: INT },
  lowerAscii: { on: 'string', args: [0, 0], result: STRING },
  upperAscii: { on: 'string', args: [0, 0], result: STRING },
  replace: { on: 'string', args: [2, 3], result: STRING },
  split: { on: 'string', args: [1, 2], result: listOf(STRING) },
  substring: { on: 'string', args: [1, 2], result: STRING },
  trim: { on: 'string', args: [0, 0], result: STRING },
  format: { on: 'string', args: [1, 1], result: STRING },
  join: { on: 'list', args: [0, 1], result: STRING },
  // Baton's own (text-functions.ts).
  lower: { on: 'string', args: [0, 0], result: STRING },
  normalize: { on: 'string', args: [0, 0], result: STRING },
  normalizeEmail: { on: 'string', args: [0, 0], result: STRING },
  normalizePhone: { on: 'string', args: [0, 0], result: STRING },
  citations: { on: 'string', args: [1, 1], result: listOf(STRING) },
  links: { on: 'string', args: [0, 0], result: listOf(STRING) },
  emails: { on: 'string', args: [0, 0], result: listOf(STRING) },
  linksOutside: { on: 'string', args: [1, 1], result: listOf(STRING) },
  containsAny: { on: 'string', args: [1, 1], result: BOOL },
  asksForSecrets: { on: 'string', args: [0, 0], result: BOOL },
  language: { on: 'string', args: [0, 0], result: STRING },
  wordCount: { on: 'string', args: [0, 0], result: INT },
  getFullYear: { on: 'any', args: [0, 1], result: INT },
  getMonth: { on: 'any', args: [0, 1], result: INT },
  getDate: { on: 'any', args: [0, 1], result: INT },
  getDayOfMonth: { on: 'any', args: [0, 1], result: INT },
  getDayOfWeek: { on: 'any', args: [0, 1], result: INT },
  getDayOfYear: { on: 'any', args: [0, 1], result: INT },
  getHours: { on: 'any', args: [0, 1], result: INT },
  getMinutes: { on: 'any', args: [0, 1], result: INT },
  getSeconds: { on: 'any', args: [0, 1], result: INT },
  getMilliseconds: { on: 'any', args: [0, 1], result: INT },
};

const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);
const ORDERING = new Set(['_<_', '_<=_', '_>_', '_>=_']);
const SYMBOL: Record<string, string> = {
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_==_': '==',
  '_!=_': '!=',
  '_&&_': '&&',
  '_||_': '||',
};

const concrete = (type: CheckType) => type.kind !== 'dyn';

/**
 * Type-checks a parsed expression against the variables a place in a definition offers
 * (`args`, `trigger`, `evidence`, …), before any run. It reports only what is wrong whatever
 * the run brings: an unknown name or function, a field a known record does not have (a
 * context source or a tool that does not exist), operands that can never fit (`"a" < 1`).
 * What depends on the run's values (`dyn`) is left to the run.
 *
 * It also mends the one trap of CEL over JSON: every JSON number is a `double`, and CEL does
 * not mix `int` and `double` in arithmetic, so a whole-number literal next to a double or a
 * run value (`args.amount + 1`) is read as a double (`1.0`). The parsed expression is changed
 * in place.
 */
export function checkExpression(parsed: ParsedExpr & { expr: Expr }, variables: Scope): Checked {
  const checker = new Checker(parsed.sourceInfo?.positions ?? {});
  const type = checker.check(parsed.expr, variables);
  return { type, problems: checker.problems };
}

class Checker {
  readonly problems: CheckProblem[] = [];

  constructor(private readonly positions: { [id: string]: number }) {}

  check(expr: Expr, scope: Scope): CheckType {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return constantType(kind.value);
      case 'identExpr': {
        const found = scope.get(kind.value.name);
        if (found) return found;
        this.report(expr, `unknown name "${kind.value.name}" (known: ${known(scope)})`);
        return DYN;
      }
      case 'selectExpr': {
        const select = kind.value;
        const operand = this.check(select.operand!, scope);
        const type = this.field(expr, select.operand!, operand, select.field);
        return select.testOnly ? BOOL : type;
      }
      case 'callExpr':
        return this.call(expr, scope);
      case 'listExpr':
        return listOf(
          kind.value.elements
            .map((element) => this.check(element, scope))
            .reduce<CheckType | undefined>((a, b) => (a ? join(a, b) : b), undefined) ?? DYN,
        );
      case 'structExpr': {
        const fields: Record<string, CheckType> = {};
        let allNamed = kind.value.messageName === '';
        for (const entry of kind.value.entries) {
          const value = entry.value ? this.check(entry.value, scope) : DYN;
          const key = entry.keyKind;
          if (key.case === 'mapKey') {
            this.check(key.value, scope);
            const constant = key.value.exprKind;
            if (constant.case === 'constExpr' && constant.value.constantKind.case === 'stringValue')
              fields[constant.value.constantKind.value] = value;
            else allNamed = false;
          } else {
            allNamed = false;
          }
        }
        return allNamed ? { kind: 'map', values: DYN, fields } : { kind: 'map', values: DYN };
      }
      case 'comprehensionExpr': {
        const loop = kind.value;
        const range = this.check(loop.iterRange!, scope);
        let item: CheckType = DYN;
        if (range.kind === 'list') item = range.of;
        else if (range.kind === 'map') item = STRING;
        else if (concrete(range))
          this.report(loop.iterRange!, `${aType(range)} cannot be looped over: expected a list`);
        const accu = this.check(loop.accuInit!, scope);
        const locals: Record<string, CheckType> = { [loop.iterVar]: item, [loop.accuVar]: accu };
        if (loop.iterVar2) locals[loop.iterVar2] = DYN;
        const inner = extend(scope, locals);
        if (loop.loopCondition) this.check(loop.loopCondition, inner);
        const step = loop.loopStep ? this.check(loop.loopStep, inner) : accu;
        const after = extend(scope, {
          ...locals,
          [loop.accuVar]: step.kind === accu.kind ? step : accu,
        });
        return loop.result ? this.check(loop.result, after) : DYN;
      }
      default:
        return DYN;
    }
  }

  private field(at: Expr, operandExpr: Expr, operand: CheckType, name: string): CheckType {
    if (operand.kind === 'map') {
      if (!operand.fields) return operand.values;
      const found = operand.fields[name];
      if (found) return found;
      const names = Object.keys(operand.fields);
      const path = dotted(operandExpr);
      this.report(
        at,
        `${path ? `"${path}" has` : 'it has'} no ${operand.keysAre ?? 'field'} named "${name}"${
          names.length ? ` (${names.join(', ')})` : ''
        }`,
      );
      return DYN;
    }
    if (concrete(operand) && operand.kind !== 'null') {
      const hint = operand.kind === 'list' ? ': use [0], exists() or map()' : '';
      this.report(at, `${aType(operand)} has no field "${name}"${hint}`);
    }
    return DYN;
  }

  private call(expr: Expr, scope: Scope): CheckType {
    const call = expr.exprKind.value as Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
    const name = call.function;
    const args = call.args;
    const types = args.map((arg) => this.check(arg, scope));
    const target = call.target ? this.check(call.target, scope) : undefined;
    const [a = DYN, b = DYN] = types;

    if (name === '_&&_' || name === '_||_') {
      types.forEach((type, i) => {
        if (concrete(type) && type.kind !== 'bool')
          this.report(args[i]!, `"${SYMBOL[name]}" joins conditions: this is ${aType(type)}`);
      });
      return BOOL;
    }
    if (name === '!_') {
      if (concrete(a) && a.kind !== 'bool')
        this.report(args[0]!, `"!" negates a condition: this is ${aType(a)}`);
      return BOOL;
    }
    if (name === '@not_strictly_false') return BOOL;
    if (name === '_?_:_') {
      if (concrete(a) && a.kind !== 'bool')
        this.report(args[0]!, `the condition of "? :" is ${aType(a)}, not true or false`);
      return join(b, types[2] ?? DYN);
    }
    if (name === '_==_' || name === '_!=_') {
      if (!comparable(a, b))
        this.report(expr, `compares ${aType(a)} with ${aType(b)}: never equal`);
      return BOOL;
    }
    if (ORDERING.has(name)) {
      const fits =
        !concrete(a) ||
        !concrete(b) ||
        (isNumeric(a) && isNumeric(b)) ||
        (a.kind === b.kind && (a.kind === 'string' || a.kind === 'timestamp'));
      if (!fits)
        this.report(
          expr,
          `"${SYMBOL[name]}" compares numbers with numbers or text with text, not ${aType(a)} with ${aType(b)}`,
        );
      return BOOL;
    }
    if (ARITHMETIC.has(name)) return this.arithmetic(expr, name, args, a, b);
    if (name === '-_') {
      if (concrete(a) && !isNumeric(a)) this.report(expr, `"-" negates a number, not ${aType(a)}`);
      return a;
    }
    if (name === '@in') {
      if (concrete(b) && b.kind !== 'list' && b.kind !== 'map')
        this.report(expr, `"in" looks in a list or a map, not in ${aType(b)}`);
      return BOOL;
    }
    if (name === '_[_]') {
      if (a.kind === 'list') {
        if (concrete(b) && b.kind !== 'int')
          this.report(args[1]!, `a list index is a whole number, not ${aType(b)}`);
        return a.of;
      }
      if (a.kind === 'map') {
        const key = args[1]?.exprKind;
        if (a.fields && key?.case === 'constExpr' && key.value.constantKind.case === 'stringValue')
          return this.field(expr, args[0]!, a, key.value.constantKind.value);
        return a.fields ? DYN : a.values;
      }
      if (concrete(a)) this.report(expr, `${aType(a)} cannot be indexed`);
      return DYN;
    }

    if (target) {
      const method = METHODS[name];
      if (!method) {
        this.report(
          expr,
          `unknown function "${name}()" (docs/workflows.md#expressions lists them)`,
        );
        return DYN;
      }
      this.arity(expr, `${name}()`, args.length, method.args);
      // The pattern is the workflow's, never the run's: text from a run compiled as a regular
      // expression could take forever to match.
      if (name === 'citations' && args[0]) {
        const pattern = args[0].exprKind;
        const text = pattern.case === 'constExpr' ? pattern.value.constantKind : undefined;
        if (text?.case !== 'stringValue') {
          this.report(args[0], 'citations() takes a pattern written in the definition (text)');
        } else {
          try {
            new RegExp(text.value, 'g');
          } catch (error) {
            this.report(args[0], `citations() needs a valid pattern: ${(error as Error).message}`);
          }
        }
      }
      return method.result;
    }
    const fn = FUNCTIONS[name];
    if (!fn) {
      this.report(expr, `unknown function "${name}()" (docs/workflows.md#expressions lists them)`);
      return DYN;
    }
    this.arity(expr, `${name}()`, args.length, fn.args);
    return fn.result;
  }

  private arithmetic(
    expr: Expr,
    name: string,
    args: Expr[],
    a: CheckType,
    b: CheckType,
  ): CheckType {
    const symbol = SYMBOL[name]!;
    // CEL has no % for doubles, and every number a run carries is one.
    if (name === '_%_') {
      for (const [i, type] of [a, b].entries()) {
        if (type.kind === 'double' || type.kind === 'dyn')
          this.report(
            args[i]!,
            '"%" takes whole numbers and numbers from the run are doubles: write int(…) around them',
          );
      }
      return INT;
    }
    // A whole-number literal beside a double or a run value is a double, as JSON numbers are.
    if (isIntLiteral(args[0]) && (b.kind === 'double' || b.kind === 'dyn')) {
      toDouble(args[0]!);
      a = DOUBLE;
    }
    if (isIntLiteral(args[1]) && (a.kind === 'double' || a.kind === 'dyn')) {
      toDouble(args[1]!);
      b = DOUBLE;
    }
    if (!concrete(a) || !concrete(b)) return concrete(a) ? a : b;
    if (isNumeric(a) && isNumeric(b)) {
      if (a.kind !== b.kind) {
        this.report(
          expr,
          `"${symbol}" mixes an int and a double: write double(…) around the int (numbers from the run are doubles)`,
        );
        return DOUBLE;
      }
      return a;
    }
    if (name === '_+_' && a.kind === 'string' && b.kind === 'string') return STRING;
    if (name === '_+_' && a.kind === 'list' && b.kind === 'list') return listOf(join(a.of, b.of));
    this.report(expr, `"${symbol}" cannot combine ${aType(a)} and ${aType(b)}`);
    return DYN;
  }

  private arity(expr: Expr, what: string, count: number, [min, max]: [number, number]) {
    if (count < min || count > max) {
      const expected = min === max ? `${min}` : `${min} to ${max}`;
      this.report(expr, `${what} takes ${expected} argument${max === 1 ? '' : 's'}, got ${count}`);
    }
  }

  private report(expr: Expr, message: string) {
    const offset = this.positions[String(expr.id)];
    this.problems.push(offset === undefined ? { message } : { message, offset });
  }
}

function constantType(constant: Constant): CheckType {
  switch (constant.constantKind.case) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
    case 'uint64Value':
      return INT;
    case 'doubleValue':
      return DOUBLE;
    case 'stringValue':
      return STRING;
    case 'nullValue':
      return NULL;
    default:
      return DYN;
  }
}

function comparable(a: CheckType, b: CheckType): boolean {
  if (!concrete(a) || !concrete(b) || a.kind === 'null' || b.kind === 'null') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  return a.kind === b.kind;
}

function isIntLiteral(expr: Expr | undefined): boolean {
  const kind = expr?.exprKind;
  if (kind?.case === 'constExpr') return kind.value.constantKind.case === 'int64Value';
  if (kind?.case === 'callExpr' && kind.value.function === '-_' && !kind.value.target)
    return isIntLiteral(kind.value.args[0]);
  return false;
}

function toDouble(expr: Expr): void {
  const kind = expr.exprKind;
  if (kind.case === 'callExpr') return toDouble(kind.value.args[0]!);
  if (kind.case === 'constExpr' && kind.value.constantKind.case === 'int64Value') {
    kind.value.constantKind = { case: 'doubleValue', value: Number(kind.value.constantKind.value) };
  }
}

/** `evidence.invoices` for a chain of names, for messages; undefined for anything else. */
function dotted(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr') {
    const operand = dotted(kind.value.operand!);
    return operand ? `${operand}.${kind.value.field}` : undefined;
  }
  return undefined;
}

function known(scope: Scope): string {
  return scope.names().join(', ');
}

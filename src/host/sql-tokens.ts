// SQLite's tokens for the statement reader and the pack validator: words,
// quoted names, literals and operators, comments dropped.
type TokenKind = 'ident' | 'string' | 'number' | 'blob' | 'param' | 'op';
export interface Token {
  readonly kind: TokenKind;
  /** Identifiers unquoted, strings unescaped, operators as written. */
  readonly value: string;
  /** A bare (unquoted) word, so it may be a keyword. */
  readonly bare: boolean;
  /** Offsets of the token in the statement text: [start, end). */
  readonly start: number;
  readonly end: number;
}

const OPERATORS = ['||', '<=', '>=', '==', '!=', '<>', '<<', '>>', '->>', '->'];

/** Splits SQL into tokens; comments are dropped. Unterminated quotes end the text. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const quoted = (close: string): string => {
    let s = '';
    i++;
    while (i < n) {
      if (sql[i] === close) {
        if (close !== ']' && sql[i + 1] === close) {
          s += close;
          i += 2;
          continue;
        }
        i++;
        return s;
      }
      s += sql[i++];
    }
    return s;
  };
  while (i < n) {
    const c = sql[i];
    const at = i;
    const push = (kind: TokenKind, value: string, bare = false): void => {
      out.push({ kind, value, bare, start: at, end: i });
    };
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
      i++;
      const v = quoted("'");
      push('blob', v);
    } else if (c === "'") {
      const v = quoted("'");
      push('string', v);
    } else if (c === '"' || c === '`') {
      const v = quoted(c);
      push('ident', v);
    } else if (c === '[') {
      const v = quoted(']');
      push('ident', v);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      i += text.length;
      push('number', text);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      i += text.length;
      push('ident', text, true);
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      const m = /^[?:@$][A-Za-z0-9_]*/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      i += text.length;
      push('param', text);
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i)) ?? c;
      i += op.length;
      push('op', op);
    }
  }
  return out;
}

export const isKw = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'ident' && t.bare && words.includes(t.value.toUpperCase());
export const isOp = (t: Token | undefined, ...ops: string[]): boolean =>
  t !== undefined && t.kind === 'op' && ops.includes(t.value);

/** Index of the matching close paren for tokens[open] === '(' (or tokens.length). */
export function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    else if (isOp(tokens[i], ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length;
}

/** Token indexes at paren depth 0 within [from, to). */
export function topLevel(tokens: Token[], from: number, to: number): number[] {
  const idx: number[] = [];
  for (let i = from; i < to; i++) {
    if (isOp(tokens[i], '(')) {
      i = matchParen(tokens, i);
      continue;
    }
    idx.push(i);
  }
  return idx;
}

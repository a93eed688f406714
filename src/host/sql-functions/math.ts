// osquery's math functions (sqlite_math.cpp), libm's errors included.
import { double, isInteger, type FunctionDef } from './coerce.js';

const EDOM = 'Numerical argument out of domain';
const ERANGE = 'Numerical result out of range';

/** libm reports domain and range errors through errno; osquery turns them into SQL errors. */
function checked(input: number[], out: number): number {
  if (Number.isNaN(out) && !input.some(Number.isNaN)) throw new Error(EDOM);
  if (!Number.isFinite(out) && !Number.isNaN(out) && input.every(Number.isFinite)) throw new Error(ERANGE);
  return out;
}

function unary(name: string, f: (x: number) => number, check = true): FunctionDef {
  return {
    name,
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      const x = double(v);
      return check ? checked([x], f(x)) : f(x);
    },
  };
}

const INT64_MIN = -(2n ** 63n);

function rounding(name: string, f: (x: number) => number): FunctionDef {
  return {
    name,
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      if (isInteger(v)) return v;
      const r = f(double(v));
      // (int64_t) of Inf or of a value beyond 64 bits: x86-64's cvttsd2si gives INT64_MIN.
      if (!Number.isFinite(r) || r >= 2 ** 63 || r < -(2 ** 63)) return INT64_MIN;
      return BigInt(r);
    },
  };
}

/** glibc's pow reports an underflow (a zero or subnormal result of finite, non-zero operands) as ERANGE. */
function powChecked(x: number, y: number): number {
  const out = checked([x, y], x ** y);
  if (Math.abs(out) < 2.2250738585072014e-308 && x !== 0 && Number.isFinite(x) && Number.isFinite(y))
    throw new Error(ERANGE);
  return out;
}

// expl works in 80-bit long double on x86-64 Linux: it overflows only past
// ln(LDBL_MAX); below that a result too big for a double is Inf, no error.
const LN_LDBL_MAX = 11356.523406294144;

export const MATH: FunctionDef[] = [
  unary('sqrt', Math.sqrt),
  unary('acos', Math.acos),
  unary('asin', Math.asin),
  unary('atan', Math.atan),
  unary('cos', Math.cos),
  unary('sin', Math.sin),
  unary('tan', Math.tan),
  // 1/tan is plain division in osquery, so cot(0) is Inf, not an error; tan(±Inf) still sets EDOM.
  unary(
    'cot',
    (x) => {
      if (!Number.isFinite(x)) throw new Error(EDOM);
      return 1 / Math.tan(x);
    },
    false,
  ),
  unary(
    'exp',
    (x) => {
      if (x > LN_LDBL_MAX) throw new Error(ERANGE);
      return Math.exp(x);
    },
    false,
  ),
  unary('log', Math.log),
  unary('log10', Math.log10),
  {
    name: 'power',
    arity: 2,
    fn: (a, b) => {
      if (a === null || b === null) return null;
      return powChecked(double(a), double(b));
    },
  },
  rounding('ceil', Math.ceil),
  rounding('floor', Math.floor),
  unary('degrees', (x) => (180 * x) / Math.PI, false),
  unary('radians', (x) => (x * Math.PI) / 180, false),
  { name: 'pi', arity: 0, fn: () => Math.PI },
];

/**
 * A minimal WebAssembly (with SIMD) bytecode emitter, so the compute kernels in this folder
 * can be written in TypeScript and compiled at start-up: no toolchain, no binary blobs.
 *
 * Only what the kernels use is here: i32/f32 scalars, f32x4 vectors, locals, structured
 * control flow (block / loop / if), and one memory imported from JS as `env.memory`.
 * A kernel is written as a sequence of calls on a `Fn`, each appending one instruction in
 * the stack machine's order (operands first, then the operator), e.g.
 *
 *   f.get(a).get(b).op(I32.add).set(c)      // c = a + b
 *
 * The binary format is the WebAssembly 1.0 core spec plus the fixed-width SIMD proposal
 * (opcode prefix 0xfd); the opcode numbers below are the spec's.
 */
import { hasFma, RELAXED_MADD } from './features.js';

/** Value types. */
export const enum Ty {
  i32 = 0x7f,
  f32 = 0x7d,
  v128 = 0x7b,
}

/** Plain (one-byte) opcodes the kernels use. */
export const enum Op {
  return_ = 0x0f,
  drop = 0x1a,
  select = 0x1b,
  i32Load = 0x28,
  f32Load = 0x2a,
  i32Store = 0x36,
  f32Store = 0x38,
  i32Eqz = 0x45,
  i32Eq = 0x46,
  i32Ne = 0x47,
  i32LtS = 0x48,
  i32GtS = 0x4a,
  i32LeS = 0x4c,
  i32GeS = 0x4e,
  i32Add = 0x6a,
  i32Sub = 0x6b,
  i32Mul = 0x6c,
  i32And = 0x71,
  i32Shl = 0x74,
  i32ShrU = 0x76,
  f32Abs = 0x8b,
  f32Neg = 0x8c,
  f32Sqrt = 0x91,
  f32Add = 0x92,
  f32Sub = 0x93,
  f32Mul = 0x94,
  f32Div = 0x95,
  f32Lt = 0x5d,
  f32Gt = 0x5e,
  f32Ge = 0x60,
  f32Min = 0x96,
  f32Max = 0x97,
  f32Nearest = 0x90,
  f32ConvertI32S = 0xb2,
  i32TruncF32S = 0xa8,
  i32ReinterpretF32 = 0xbc,
  f32ReinterpretI32 = 0xbe,
}

/** SIMD opcodes (emitted after the 0xfd prefix, LEB128-encoded). */
export const enum Simd {
  load = 0x00,
  load32Splat = 0x09,
  store = 0x0b,
  f32x4Splat = 0x13,
  i32x4Splat = 0x11,
  f32x4Lt = 0x43,
  f32x4Gt = 0x44,
  f32x4Ge = 0x46,
  v128Bitselect = 0x52,
  v128And = 0x4e,
  v128AndNot = 0x4f,
  f32x4ExtractLane = 0x1f,
  f32x4Nearest = 0x6a,
  i32x4Shl = 0xab,
  i32x4Add = 0xae,
  i32x4TruncSatF32x4S = 0xf8,
  f32x4Abs = 0xe0,
  f32x4Neg = 0xe1,
  f32x4Sqrt = 0xe3,
  f32x4Add = 0xe4,
  f32x4Sub = 0xe5,
  f32x4Mul = 0xe6,
  f32x4Div = 0xe7,
  f32x4Min = 0xe8,
  f32x4Max = 0xe9,
  /** Pseudo-min/max: b < a ? b : a (and a < b ? b : a); one SSE instruction each, unlike min/max. */
  f32x4Pmin = 0xea,
  f32x4Pmax = 0xeb,
}

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const f32Bytes = new Uint8Array(4);
const f32View = new DataView(f32Bytes.buffer);

/** A local variable (parameters are locals 0..n-1). */
export type Local = number & { readonly __local: unique symbol };

/** One function: its signature, its locals and its body, built instruction by instruction. */
export class Fn {
  readonly code: number[] = [];
  private readonly extraLocals: Ty[] = [];
  readonly params: Local[];

  constructor(
    readonly name: string,
    readonly paramTypes: Ty[],
    readonly resultTypes: Ty[] = [],
  ) {
    this.params = paramTypes.map((_, i) => i as Local);
  }

  /** A new local of type `ty`. */
  local(ty: Ty): Local {
    this.extraLocals.push(ty);
    return (this.paramTypes.length + this.extraLocals.length - 1) as Local;
  }

  op(...ops: Op[]): this {
    this.code.push(...ops);
    return this;
  }
  simd(op: Simd, lane?: number): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    if (lane !== undefined) this.code.push(lane);
    return this;
  }
  /** acc = acc + a * b on f32x4 locals: fused where the engine has relaxed SIMD (./features.ts). */
  madd(acc: Local, a: Local, b: Local): this {
    if (hasFma())
      return this.get(a)
        .get(b)
        .get(acc)
        .simd(RELAXED_MADD as Simd)
        .set(acc);
    return this.get(acc).get(a).get(b).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc);
  }
  get(l: Local): this {
    this.code.push(0x20);
    uleb(l, this.code);
    return this;
  }
  set(l: Local): this {
    this.code.push(0x21);
    uleb(l, this.code);
    return this;
  }
  tee(l: Local): this {
    this.code.push(0x22);
    uleb(l, this.code);
    return this;
  }
  i32(n: number): this {
    this.code.push(0x41);
    sleb(n | 0, this.code);
    return this;
  }
  f32(x: number): this {
    f32View.setFloat32(0, x, true);
    this.code.push(0x43, ...f32Bytes);
    return this;
  }
  /** f32x4 with all lanes = x. */
  splat(x: number): this {
    return this.f32(x).simd(Simd.f32x4Splat);
  }
  /** Memory access with a constant byte offset; `align` is log2 of the alignment hint. */
  mem(op: Op.f32Load | Op.f32Store | Op.i32Load | Op.i32Store, offset = 0): this {
    this.code.push(op, 2);
    uleb(offset, this.code);
    return this;
  }
  vmem(op: Simd.load | Simd.store | Simd.load32Splat, offset = 0): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    this.code.push(op === Simd.load32Splat ? 2 : 4);
    uleb(offset, this.code);
    return this;
  }

  /** block ... end: `br(depth)` inside jumps past the end. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  /** loop ... end: `br(depth)` inside jumps back to the start. */
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  /** if (top of stack != 0) then ... [else ...] end. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.code.push(0x0c);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d);
    uleb(depth, this.code);
    return this;
  }

  /**
   * for (i = from; i < to; i += step) body(). `from`, `to` are emitted by the callbacks
   * (each leaves one i32); the loop runs zero times when from >= to.
   */
  for(i: Local, from: () => void, to: () => void, step: number, body: () => void): this {
    from();
    this.set(i);
    return this.block(() => {
      this.get(i);
      to();
      this.op(Op.i32GeS).brIf(0);
      this.loop(() => {
        body();
        this.get(i).i32(step).op(Op.i32Add).tee(i);
        to();
        this.op(Op.i32LtS).brIf(0);
      });
    });
  }

  /** The function body as the code section wants it: locals then instructions then end. */
  encode(): number[] {
    const body: number[] = [];
    // Locals, run-length encoded by type.
    const groups: [number, Ty][] = [];
    for (const ty of this.extraLocals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === ty) last[0]++;
      else groups.push([1, ty]);
    }
    uleb(groups.length, body);
    for (const [n, ty] of groups) {
      uleb(n, body);
      body.push(ty);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    out.push(...body);
    return out;
  }
}

/** A kernel for the runtime's table: its function, and its JS signature as a type (`fn.name` is the key it is exported under). */
export interface Kernel<F = (...args: number[]) => void> {
  readonly fn: Fn;
  /** Type only: never set. */
  readonly signature?: F;
}

export function kernel<F extends (...args: number[]) => void>(fn: Fn): Kernel<F> {
  return { fn };
}

/** Table entries for functions emitted in a list (their names generated), typed by the signatures `S` of those names. */
export function kernelsOf<S>(fns: Fn[]): { [K in keyof S]: Kernel<S[K]> } {
  return Object.fromEntries(fns.map((fn) => [fn.name, { fn }])) as { [K in keyof S]: Kernel<S[K]> };
}

/** The JS signatures of a table of kernels, by name. */
export type Signatures<T> = { [K in keyof T]: T[K] extends Kernel<infer F> ? F : never };

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function vec(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const item of items) out.push(...item);
  return out;
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  const out: number[] = [];
  uleb(bytes.length, out);
  return out.concat(bytes);
}

/**
 * A module of exported functions over one imported memory `env.memory`; `shared`: a shared
 * memory (the threads proposal's limits flag 3), which must declare its maximum (4 GiB).
 */
export function assemble(fns: Fn[], opts: { shared?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // magic, version 1
  // One signature per function (duplicates are allowed and keep the indexing trivial).
  section(1, vec(fns.map((f) => [0x60, ...vec(f.paramTypes.map((t) => [t])), ...vec(f.resultTypes.map((t) => [t]))])), out);
  // import env.memory: memory type with a minimum of 1 page and no maximum, or shared with a maximum of 65536 pages.
  const limits: number[] = opts.shared ? [0x03, 0x01] : [0x00, 0x01];
  if (opts.shared) uleb(65536, limits);
  section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]]), out);
  section(
    3,
    vec(
      fns.map((_, i) => {
        const b: number[] = [];
        uleb(i, b);
        return b;
      }),
    ),
    out,
  );
  section(
    7,
    vec(
      fns.map((f, i) => {
        const b = [...name(f.name), 0x00];
        uleb(i, b);
        return b;
      }),
    ),
    out,
  );
  section(10, vec(fns.map((f) => f.encode())), out);
  return new Uint8Array(out);
}

// Small seeded PRNG helpers: every generated value in the sandbox flows from these so a seed reproduces
// the same data byte for byte.

const codes = (alphabet: string) => [...alphabet].map((c) => c.charCodeAt(0));
const ALNUM_CODES = codes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
const HEX_CODES = codes("0123456789abcdef");
const DIGIT_CODES = codes("0123456789");

/** mulberry32: tiny, fast and good enough for fixtures; not for anything security-related. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream seed so that, e.g., fault rolls never shift the seeded data. */
export function deriveSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Random {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.#next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#next() * items.length)];
    if (item === undefined) throw new Error("pick() from an empty list");
    return item;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let roll = this.#next() * total;
    for (const [value, w] of entries) {
      roll -= w;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error("weighted() from an empty list");
    return last[0];
  }

  /** Distinct items, order randomised. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      const [item] = pool.splice(Math.floor(this.#next() * pool.length), 1);
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  alnum(length: number): string {
    return this.#chars(ALNUM_CODES, length);
  }

  /** `${prefix}_` plus `length` alphanumerics, built flat in one allocation (ids are hashed and compared a lot). */
  id(prefix: string, length: number): string {
    const codes = new Array<number>(prefix.length + 1 + length);
    let i = 0;
    for (; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
    codes[i++] = 95; // "_"
    for (; i < codes.length; i++) codes[i] = ALNUM_CODES[Math.floor(this.#next() * 62)] ?? 48;
    return String.fromCharCode(...codes);
  }

  hex(length: number): string {
    return this.#chars(HEX_CODES, length);
  }

  digits(length: number): string {
    return this.#chars(DIGIT_CODES, length);
  }

  /** Builds the string in one go: per-character concatenation made seeding allocation-bound. */
  #chars(alphabet: readonly number[], length: number): string {
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) codes[i] = alphabet[Math.floor(this.#next() * alphabet.length)] ?? 48;
    return String.fromCharCode(...codes);
  }
}

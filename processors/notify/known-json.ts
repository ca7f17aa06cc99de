/**
 * The JSON text of objects whose text is already at hand: a match record's resource is read from
 * a segment of its own, so the payloads and stored events that embed it splice that text instead
 * of serialising the resource again. Resources are not modified in place once decoded (delivery
 * transforms copy them), so a remembered text stays the text of its object.
 */
const known = new WeakMap<object, string>();

/** A token no JSON value of ours holds: a remembered object is written as it, then replaced. */
const MARK = `\u0000known-json-${Math.random().toString(36).slice(2)}-`;

export function rememberJson(value: object, text: string): void {
  known.set(value, text);
}

/** The text of an object, remembered for the next ones that embed it. */
export function knownJson(value: object): string {
  let text = known.get(value);
  if (text === undefined) {
    text = JSON.stringify(lazies.get(value)?.value() ?? value);
    known.set(value, text);
  }
  return text;
}

/** How deep remembered objects are looked for: a notification bundle has its resources at depth 3. */
const DEPTH = 4;

/**
 * `JSON.stringify(value)`, with the remembered text of the resources near its top. Same output.
 * Below the top object, a resource (an object with a `resourceType`) is not looked into: it is
 * either remembered or written as it is, so an unknown resource costs no copy.
 */
export function stringifyWithKnown(value: unknown): string {
  const texts: string[] = [];
  // A copy of the top levels with remembered objects replaced by tokens keeps V8's fast
  // serialiser (a replacer function would slow down every value, resources included).
  const tokenized = withTokens(value, DEPTH, texts, true);
  if (texts.length === 1 && tokenized === token(0)) return texts[0]!;
  if (texts.length === 0) return JSON.stringify(value);
  const out = JSON.stringify(tokenized);
  // Tokens come out in the order they were made: the copy keeps the key order.
  let result = '';
  let from = 0;
  for (let i = 0; i < texts.length; i++) {
    const quoted = JSON.stringify(token(i));
    const at = out.indexOf(quoted, from);
    result += out.slice(from, at) + texts[i]!;
    from = at + quoted.length;
  }
  return result + out.slice(from);
}

function token(i: number): string {
  return `${MARK}${i}`;
}

function withTokens(value: unknown, depth: number, texts: string[], top = false): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const text = known.get(value);
  if (text !== undefined) {
    texts.push(text);
    return token(texts.length - 1);
  }
  const lazy = lazies.get(value);
  if (lazy !== undefined) return withTokens(lazy.value(), depth, texts, top);
  if (depth === 0) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => withTokens(v, depth - 1, texts));
  // Only plain objects are copied: others may serialise through toJSON.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  if (!top && typeof (value as { resourceType?: unknown }).resourceType === 'string') return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    copy[key] = withTokens((value as Record<string, unknown>)[key], depth - 1, texts);
  }
  return copy;
}

type Target = Record<string | symbol, unknown>;

/** The traps that make a lazy object load itself (see lazyJson). */
const TRAPS = [
  'get',
  'has',
  'ownKeys',
  'getOwnPropertyDescriptor',
  'set',
  'defineProperty',
  'deleteProperty',
  'preventExtensions',
] as const;

/**
 * The handler of one lazy object: every operation that can observe its content loads it first
 * (traps run with the handler as `this`). Loading copies the parsed properties onto the target
 * and shadows the traps with undefined, so later operations go to the target without a trap.
 * The methods are shared: a lazy object costs one small handler and the proxy.
 */
class LazyHandler implements ProxyHandler<Target> {
  /** The parsed object, once loaded: its properties are the target's. */
  private parsed: Target | undefined;

  constructor(
    private readonly parse: () => object,
    private readonly target: Target,
  ) {}

  /** The parsed object, a plain one (serialised without the proxy's slow path). */
  value(): object {
    if (this.parsed === undefined) this.load(this.target);
    return this.parsed!;
  }

  private load(target: Target): void {
    // Parsed before the traps go: text that cannot be read keeps throwing on every use.
    const value = this.parse() as Target;
    this.parsed = value;
    for (const trap of TRAPS) (this as Record<string, unknown>)[trap] = undefined;
    for (const key of Object.keys(value)) {
      // A `__proto__` key of the JSON is a property, not the prototype.
      if (key === '__proto__')
        Object.defineProperty(target, key, {
          value: value[key],
          writable: true,
          enumerable: true,
          configurable: true,
        });
      else target[key] = value[key];
    }
  }

  get(t: Target, key: string | symbol): unknown {
    this.load(t);
    return Reflect.get(t, key);
  }
  has(t: Target, key: string | symbol): boolean {
    this.load(t);
    return Reflect.has(t, key);
  }
  ownKeys(t: Target): (string | symbol)[] {
    this.load(t);
    return Reflect.ownKeys(t);
  }
  getOwnPropertyDescriptor(t: Target, key: string | symbol): PropertyDescriptor | undefined {
    this.load(t);
    return Reflect.getOwnPropertyDescriptor(t, key);
  }
  set(t: Target, key: string | symbol, value: unknown): boolean {
    this.load(t);
    return Reflect.set(t, key, value);
  }
  defineProperty(t: Target, key: string | symbol, d: PropertyDescriptor): boolean {
    this.load(t);
    return Reflect.defineProperty(t, key, d);
  }
  deleteProperty(t: Target, key: string | symbol): boolean {
    this.load(t);
    return Reflect.deleteProperty(t, key);
  }
  preventExtensions(t: Target): boolean {
    this.load(t);
    return Reflect.preventExtensions(t);
  }
}

/**
 * An object that stands for `parse()` and calls it only when something first looks into it
 * (a property, its keys, `in`): most resources of a match record, and most previous versions,
 * are never read field by field, only embedded as text or passed on. With its `text`, the
 * object is remembered as that text, which is then spliced into payloads without parsing.
 * Once loaded it reads as a plain object behind a proxy without traps.
 * `parse` should throw a DecodeError for text it cannot read: the error surfaces at first use.
 */
export function lazyJson<T extends object>(parse: () => T, text?: string): T {
  const target: Target = {};
  const handler = new LazyHandler(parse, target);
  const lazy = new Proxy<Target>(target, handler) as unknown as T;
  if (text !== undefined) known.set(lazy, text);
  else lazies.set(lazy, handler);
  return lazy;
}

/** Lazy objects without a text: serialised through their parsed object, not through the proxy. */
const lazies = new WeakMap<object, LazyHandler>();

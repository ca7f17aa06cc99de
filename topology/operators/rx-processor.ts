import type { OperatorFunction } from 'rxjs';
import { lastValueFrom, map, mergeMap, of, toArray } from 'rxjs';
import type { Processor, StreamRecord } from '../processor.js';

/**
 * A processor written as an RxJS operator: each input record goes through `operator`, and what it
 * emits is forwarded in order before the next record is taken, so per-partition order holds even
 * for asynchronous operators (mergeMap over a promise, concatMap, ...). The operator holds no
 * state across records; stateful work uses stores through a plain Processor.
 */
export function rxProcessor<VIn, VOut>(
  operator: OperatorFunction<StreamRecord<VIn>, StreamRecord<VOut>>,
): () => Processor<VIn, VOut> {
  return () => ({
    async process(record, ctx) {
      const outputs = await lastValueFrom(of(record).pipe(operator, toArray()));
      for (const out of outputs) await ctx.forward(out);
    },
  });
}

/** Maps the value, keeping key, timestamp and headers. */
export function mapValues<VIn, VOut>(
  fn: (value: VIn) => VOut,
): OperatorFunction<StreamRecord<VIn>, StreamRecord<VOut>> {
  return map((r) => ({ ...r, value: fn(r.value) }));
}

/** Maps each value to zero or more values (flatMap), each a record with the same key. */
export function flatMapValues<VIn, VOut>(
  fn: (value: VIn) => readonly VOut[],
): OperatorFunction<StreamRecord<VIn>, StreamRecord<VOut>> {
  return mergeMap((r) => fn(r.value).map((value) => ({ ...r, value })));
}

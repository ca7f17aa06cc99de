import { expect, it } from 'vitest';
import { collectGarbageNow } from '../../bench/harness/index.js';

it('collects garbage on demand, without --expose-gc on the command line', async () => {
  const ref = ((): WeakRef<object> => new WeakRef({ big: new Array(1000).fill(1) }))();
  // A WeakRef's target lives until the end of the job that created it.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbageNow();
  expect(ref.deref()).toBeUndefined();
});

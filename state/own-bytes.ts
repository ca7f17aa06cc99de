/**
 * Buffers that own their memory. Node hands out Buffers under 4 KB as views of shared 8 KB slabs,
 * and a slice of a fetched response is a view of the whole response: a long-lived cache entry that
 * is such a view keeps the rest of the slab or response alive with it. Store caches live for hours
 * and lose entries in no particular order, so their slabs end up mostly dead bytes pinned by one
 * entry each: a 15-minute run grew memory outside the V8 heap by 200 MB while the caches counted
 * 107 MB. Values meant to be cached are therefore written into allocations of their own size.
 */

/** `text` as UTF-8 in a Buffer of exactly its size, not carved from the shared pool. */
export function ownUtf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}

/** The parts one after another in a Buffer of exactly their size, not carved from the shared pool. */
export function ownConcat(parts: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const part of parts) size += part.length;
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** `bytes` itself when it spans its whole memory, otherwise a copy that does. */
export function ownBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.length === bytes.buffer.byteLength) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

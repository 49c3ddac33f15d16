import { createHash } from 'node:crypto';
import type { RandomSource } from '../../../../src/shared/random';

/** Reproducible "randomness": SHA-256 in counter mode over a seed. */
export class SeededRandom implements RandomSource {
  private counter = 0;

  constructor(private readonly seed: string) {}

  bytes(length: number): Buffer {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < length) {
      const chunk = createHash('sha256').update(`${this.seed}:${this.counter}`).digest();
      this.counter += 1;
      chunks.push(chunk);
      total += chunk.length;
    }
    return Buffer.concat(chunks).subarray(0, length);
  }
}

/** Hands out the given buffers in order, then fails: for tests that pin exact bytes. */
export class ScriptedRandom implements RandomSource {
  constructor(private readonly queue: Buffer[]) {}

  bytes(length: number): Buffer {
    const next = this.queue.shift();
    if (next === undefined || next.length !== length) {
      throw new Error(`ScriptedRandom: expected a request for ${next?.length ?? 'no more'} bytes, got ${length}`);
    }
    return next;
  }
}

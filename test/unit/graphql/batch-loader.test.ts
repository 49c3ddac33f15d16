import { BatchLoader } from '../../../src/graphql/batch-loader';

describe('BatchLoader', () => {
  function squares() {
    const batches: number[][] = [];
    const loader = new BatchLoader(async (keys: number[]) => {
      batches.push(keys);
      return keys.map((k) => k * k);
    }, String);
    return { loader, batches };
  }

  it('answers every key asked for in the same tick with one batch, each key once', async () => {
    const { loader, batches } = squares();
    const answers = await Promise.all([loader.load(2), loader.load(3), loader.load(2), loader.loadMany([4, 3])]);
    expect(answers).toEqual([4, 9, 4, [16, 9]]);
    expect(batches).toEqual([[2, 3, 4]]);
  });

  it('gives a value already loaded at once, and a promise for one not loaded yet', async () => {
    const { loader, batches } = squares();
    const pending = loader.loadNow(5);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe(25);
    expect(loader.loadNow(5)).toBe(25);
    await loader.loadMany([6, 7]);
    expect([loader.loadNow(6), loader.loadNow(7)]).toEqual([36, 49]);
    expect(batches).toEqual([[5], [6, 7]]);
  });

  it('rejects every key of a failed batch and remembers no value from it', async () => {
    const loader = new BatchLoader(async (): Promise<number[]> => {
      throw new Error('database unavailable');
    }, String);
    await expect(loader.loadMany([1, 2])).rejects.toThrow('database unavailable');
    expect(loader.loadNow(1)).toBeInstanceOf(Promise);
    await expect(loader.loadNow(1)).rejects.toThrow('database unavailable');
  });
});

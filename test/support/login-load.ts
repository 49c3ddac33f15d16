import { fullLogin } from './full-login';

export interface LoginTarget {
  slug: string;
  apiKey: string;
}

export interface LoginLoad {
  /** Sign-ins that ended with an authenticated user so far. */
  readonly completed: number;
  /** Every sign-in that did not, with why. */
  readonly failures: readonly string[];
  /** Lets the sign-ins in flight finish and starts no more. */
  stop(): Promise<void>;
}

/**
 * Whole sign-ins (fullLogin) against `baseUrl`, `concurrency` at a time, round the `targets`, until
 * stopped: load for a test that changes something underneath a running service. Each target's
 * users are `returning` (signed in before) and new ones.
 */
export function startLoginLoad(baseUrl: string, targets: readonly LoginTarget[], { concurrency = 3, returning = 'alice' } = {}): LoginLoad {
  let stopped = false;
  let completed = 0;
  const failures: string[] = [];
  const loop = async (lane: number) => {
    for (let i = 0; !stopped; i++) {
      const target = targets[(lane + i) % targets.length]!;
      const username = i % 2 === 0 ? returning : `user-${lane}-${i}`;
      try {
        if (await fullLogin(baseUrl, target.slug, target.apiKey, username)) completed++;
        else failures.push(`${target.slug}/${username}: the RP got no authenticated user`);
      } catch (err) {
        failures.push(`${target.slug}/${username}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, (_, lane) => loop(lane)));
  return {
    get completed() {
      return completed;
    },
    failures,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

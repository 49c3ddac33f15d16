import { createHash, timingSafeEqual } from 'node:crypto';
import type { SregValues } from '../src/openid';

/** A user of the sample Authenticating Website, with a profile in sreg formats (docs/protocol.md#sreg). */
export interface DemoUser {
  username: string;
  password: string;
  profile: SregValues;
}

/** Made-up people for the demo; their passwords are printed by `npm run demo` on purpose. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'alice',
    password: 'wonderland',
    profile: {
      email: 'alice@example.org',
      nickname: 'alice',
      fullname: 'Alice Liddell',
      dob: '1852-05-04',
      gender: 'F',
      country: 'GB',
      language: 'en',
      timezone: 'Europe/London',
    },
  },
  {
    username: 'bob',
    password: 'builder',
    profile: {
      email: 'bob@example.org',
      nickname: 'bob',
      fullname: 'Bob the Builder',
      dob: '1998-11-28',
      gender: 'M',
      country: 'US',
      language: 'en',
      timezone: 'America/New_York',
    },
  },
];

/**
 * The user whose name and password match, or null. Passwords are compared as hashes in constant
 * time, as a real login should, even though these ones are public.
 */
export function checkPassword(username: string, password: string): DemoUser | null {
  const user = DEMO_USERS.find((u) => u.username === username);
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const matches = timingSafeEqual(digest(user?.password ?? ''), digest(password));
  return user && matches ? user : null;
}

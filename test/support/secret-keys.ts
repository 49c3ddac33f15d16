import { Secret } from '../../src/config';
import { SecretKeyRing, secretKeyRing } from '../../src/shared/secret-key-ring';
import { TEST_SECRET_KEY } from './env';

/** A second server secret, for rotations: `SECRET_KEYS=v2:<this>,v1:<TEST_SECRET_KEY>`. */
export const TEST_SECRET_KEY_V2 = 'test-secret-key-v2-fedcba9876543210fedcba98';

/** A ring of `[version, secret]` pairs, newest first. */
export function keyRing(...versions: Array<[version: string, secret: string]>): SecretKeyRing {
  return secretKeyRing(versions.map(([version, secret]) => ({ version, secret: new Secret(secret) })));
}

/** The rings of a rotation: before (`v1` alone, what SECRET_KEY means), during (`v2,v1`) and after (`v2` alone). */
export const ROTATION = {
  before: keyRing(['v1', TEST_SECRET_KEY]),
  during: keyRing(['v2', TEST_SECRET_KEY_V2], ['v1', TEST_SECRET_KEY]),
  after: keyRing(['v2', TEST_SECRET_KEY_V2]),
};

/** SECRET_KEYS as the environment spells `ROTATION.during` and `ROTATION.after`. */
export const ROTATION_ENV = {
  during: `v2:${TEST_SECRET_KEY_V2},v1:${TEST_SECRET_KEY}`,
  after: `v2:${TEST_SECRET_KEY_V2}`,
};

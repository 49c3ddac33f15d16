import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { KeyVersionSummary } from './key-versions';
import { RotationFailureReason, RotationResult } from './key-rotation.service';

registerEnumType(RotationFailureReason, {
  name: 'DataKeyRotationFailureReason',
  description: 'Why a customer key could not be re-wrapped.',
  valuesConfig: {
    VERSION_NOT_CONFIGURED: { description: 'It is wrapped by a KEK version that is not in MASTER_KEYS: add that version back to read or rotate it.' },
    UNWRAP_FAILED: { description: 'It does not open under the configured KEK of its version (altered, or a different key configured under that version).' },
  },
});

@ObjectType('DataKeyVersion', { description: 'One key-encryption key (KEK) version and the customer keys it wraps.' })
export class DataKeyVersionType {
  @Field(() => String, { description: 'The version, as in MASTER_KEYS (`v2`).' })
  version!: string;

  @Field(() => Int, { description: 'Customer data keys wrapped by this version.' })
  customerKeys!: number;

  @Field(() => Boolean, { description: 'Whether this version is in MASTER_KEYS.' })
  isConfigured!: boolean;

  @Field(() => Boolean, { description: 'Whether new wraps and re-wraps use this version (the first of MASTER_KEYS).' })
  isCurrent!: boolean;
}

@ObjectType('DataKeyVersions', { description: 'Where key rotation stands: the KEK versions configured and how many customer keys each wraps.' })
export class DataKeyVersionsType {
  @Field(() => String, { description: 'The version new wraps and re-wraps use.' })
  currentVersion!: string;

  @Field(() => [String], { description: 'Every version in MASTER_KEYS, newest first.' })
  configuredVersions!: string[];

  @Field(() => [DataKeyVersionType], { description: 'The configured versions (newest first), then any other version some key is wrapped by.' })
  versions!: DataKeyVersionType[];

  @Field(() => [String], { description: 'Configured older versions that wrap no key any more: they can be removed from MASTER_KEYS.' })
  removableVersions!: string[];

  @Field(() => [String], { description: 'Versions that wrap keys but are not in MASTER_KEYS: those customers\' data cannot be read until the version is added back.' })
  unconfiguredVersions!: string[];

  @Field(() => Int, { description: 'Customer keys not yet on the current version.' })
  pendingKeys!: number;

  static from(summary: KeyVersionSummary): DataKeyVersionsType {
    return {
      currentVersion: summary.currentVersion,
      configuredVersions: [...summary.configuredVersions],
      versions: summary.versions.map((v) => ({ version: v.version, customerKeys: v.customerKeys, isConfigured: v.isConfigured, isCurrent: v.isCurrent })),
      removableVersions: summary.removableVersions,
      unconfiguredVersions: summary.unconfiguredVersions,
      pendingKeys: summary.pendingKeys,
    };
  }
}

@ObjectType('DataKeyRotationFailure', { description: 'A customer key a rotation could not re-wrap.' })
export class DataKeyRotationFailureType {
  @Field(() => ID, { description: 'The customer whose key it is.' })
  customerId!: string;

  @Field(() => String, { description: 'The KEK version it is wrapped by.' })
  version!: string;

  @Field(() => RotationFailureReason, { description: 'Why it could not be re-wrapped.' })
  reason!: RotationFailureReason;
}

@InputType('RotateDataKeysInput', { description: 'How much of a key rotation one request runs.' })
export class RotateDataKeysInput {
  @Field(() => Int, { nullable: true, description: 'Customer keys re-wrapped per transaction, 1-1000 (default 100).' })
  batchSize?: number | null;

  @Field(() => Int, { nullable: true, description: 'Most batches this request runs, 1-100 (default 100); the rest is left to the next request.' })
  maxBatches?: number | null;

  @Field(() => ID, { nullable: true, description: 'Resume a pass after this customer id (a previous payload\'s `after`); omit to start from the first key.' })
  after?: string | null;
}

@ObjectType('RotateDataKeysPayload', { description: 'What one rotation request did, and where the rotation stands after it.' })
export class RotateDataKeysPayload {
  @Field(() => Int, { description: 'Customer keys re-wrapped under the current version.' })
  rewrapped!: number;

  @Field(() => Int, { description: 'Keys changed by someone else meanwhile (another rotation, an erased customer), left alone.' })
  skipped!: number;

  @Field(() => Int, { description: 'Keys that could not be re-wrapped (see `failures`).' })
  failed!: number;

  @Field(() => [DataKeyRotationFailureType], { description: 'The first 100 keys that could not be re-wrapped.' })
  failures!: DataKeyRotationFailureType[];

  @Field(() => Int, { description: 'Batches run (each its own transaction).' })
  batches!: number;

  @Field(() => Boolean, { description: 'Whether the pass read every key to re-wrap; when false, call again with `after`.' })
  isComplete!: boolean;

  @Field(() => ID, { nullable: true, description: 'Where the pass stopped: give it as `input.after` to go on. Null once complete.' })
  after!: string | null;

  @Field(() => DataKeyVersionsType, { description: 'The versions and their customer keys after this request.' })
  versions!: DataKeyVersionsType;

  static from(result: RotationResult): RotateDataKeysPayload {
    return {
      rewrapped: result.rewrapped,
      skipped: result.skipped,
      failed: result.failed,
      failures: result.failures.map((f) => ({ customerId: f.customerId, version: f.version, reason: f.reason })),
      batches: result.batches,
      isComplete: result.isComplete,
      after: result.after,
      versions: DataKeyVersionsType.from(result.versions),
    };
  }
}

import { Arg, Authorized, Mutation, Query, Resolver } from 'type-graphql';
import { OPERATOR_ONLY } from '../operators';
import { ValidationError } from '../shared/errors';
import { KeyRotationService } from './key-rotation.service';
import { DataKeyVersionsType, RotateDataKeysInput, RotateDataKeysPayload } from './data-key.type';

const DEFAULT_BATCH_SIZE = 100;
/** One request re-wraps at most 100 batches (100,000 keys at the largest batch size), so it ends well within an HTTP timeout. */
const MAX_BATCHES_PER_REQUEST = 100;

/** Key rotation (issue 17): platform data, for platform owners only. */
@Resolver()
export class DataKeyResolver {
  constructor(private readonly rotation: KeyRotationService) {}

  @Authorized(OPERATOR_ONLY)
  @Query(() => DataKeyVersionsType, { description: 'The key-encryption key versions and how many customer keys each wraps: which are current, pending rotation, or removable. Platform operator only.' })
  async dataKeyVersions(): Promise<DataKeyVersionsType> {
    return DataKeyVersionsType.from(await this.rotation.versions());
  }

  @Authorized(OPERATOR_ONLY)
  @Mutation(() => RotateDataKeysPayload, {
    description:
      'Re-wraps customer data keys under the current key-encryption key, in batches (each committed on its own), up to `maxBatches`; audited. Resumable: call again (with `after`) until `isComplete`. Platform operator only.',
  })
  async rotateDataKeys(@Arg('input', () => RotateDataKeysInput, { nullable: true }) input: RotateDataKeysInput | null): Promise<RotateDataKeysPayload> {
    const maxBatches = input?.maxBatches ?? MAX_BATCHES_PER_REQUEST;
    if (!Number.isInteger(maxBatches) || maxBatches < 1 || maxBatches > MAX_BATCHES_PER_REQUEST) {
      throw new ValidationError('maxBatches', `maxBatches must be an integer from 1 to ${MAX_BATCHES_PER_REQUEST}`);
    }
    const result = await this.rotation.rotate({ batchSize: input?.batchSize ?? DEFAULT_BATCH_SIZE, maxBatches, after: input?.after ?? null });
    return RotateDataKeysPayload.from(result);
  }
}

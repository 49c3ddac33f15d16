import { JobHandler } from '../jobs/workers';
import { JOBS, QUEUES } from '../jobs/queues';
import { BackchannelLogout, BackchannelNotice, backchannelNoticePayload } from './backchannel-logout';

/**
 * Delivers one back-channel logout notice; many at once, so a slow client holds only its own slot.
 * A refused attempt throws and BullMQ tries again with exponential backoff (the producer's retry
 * policy); the notice's jti keeps every attempt one notification for the receiver.
 */
export function deliverBackchannelLogoutJob(deps: { logout: BackchannelLogout; concurrency: number }): JobHandler {
  return {
    queue: QUEUES.backchannelLogout,
    name: JOBS.deliverBackchannelLogout,
    payload: backchannelNoticePayload,
    concurrency: deps.concurrency,
    run: async (data, log) => {
      const notice = data as BackchannelNotice;
      const outcome = await deps.logout.deliver(notice);
      // Ids only: never the subject.
      log.debug({ customerId: notice.customerId, clientId: notice.clientId, jti: notice.jti, outcome }, 'back-channel logout');
      return { outcome };
    },
  };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { ErrorNotice, Loading } from '../../components/states';
import { DashboardProfileExportDocument, DashboardRequestProfileExportDocument } from '../../generated/graphql';
import { usePoll } from './use-poll';

/**
 * "Request export": the worker builds the document; this asks for its state every second until it
 * is READY and then offers the API's own signed, short-lived download link (no token goes with it).
 */
export function ExportPanel({ profileId, isRestricted }: { profileId: string; isRestricted: boolean }) {
  const [exportId, setExportId] = useState<string | null>(null);
  const [requested, request] = useMutation(DashboardRequestProfileExportDocument);
  const [result, reexecute] = useQuery({ query: DashboardProfileExportDocument, variables: { id: exportId ?? '' }, pause: exportId === null, requestPolicy: 'network-only' });
  const current = result.data?.profileExport;
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  usePoll(exportId !== null && (!current || current.status === 'PENDING') && !result.error, refresh);
  const status = useRef<HTMLDivElement>(null);
  // Once requested, keyboard and screen-reader users land on the export's progress.
  useEffect(() => {
    if (exportId !== null) status.current?.focus();
  }, [exportId]);

  const start = async () => {
    const res = await request({ profileId });
    const created = res.data?.requestProfileExport.profileExport;
    if (created) setExportId(created.id);
  };

  return (
    <section aria-labelledby="profile-export">
      <h2 id="profile-export">Export</h2>
      <p className="muted">Everything held about this person as one JSON document (data portability). The download link works for a limited time.</p>
      {isRestricted && <p className="muted">While processing is restricted, an export holds only the profile's id and the restriction.</p>}
      <button type="button" className="secondary" disabled={requested.fetching || current?.status === 'PENDING'} onClick={() => void start()}>
        Request export
      </button>
      <ErrorNotice error={requested.error} extensions={requested.extensions} />
      <ErrorNotice error={result.error} extensions={result.extensions} />
      <div aria-live="polite" ref={status} tabIndex={-1} className="export-progress">
        <p className="export-status">
          {exportId !== null && !current && 'Export requested…'}
          {current?.status === 'PENDING' && `The export is being built (attempt ${current.attempts + 1})…`}
          {current?.status === 'READY' && !current.downloadUrl && 'The export is ready, but its download link has expired: request a new one.'}
          {current?.status === 'EXPIRED' && 'The export has expired and was purged: request a new one.'}
          {current?.status === 'FAILED' && 'The export could not be built. Request it again; if it fails again, quote its id to support.'}
        </p>
        {current?.status === 'PENDING' && <Loading what="the export" />}
        {current?.status === 'READY' && current.downloadUrl && (
          <p className="notice-ok">
            The export is ready. <a href={current.downloadUrl} download>Download the export (JSON)</a>, available until <DateTime value={current.expiresAt} />.
          </p>
        )}
        {current && <p className="muted">Export id <code>{current.id}</code>, requested <DateTime value={current.requestedAt} />.</p>}
      </div>
    </section>
  );
}

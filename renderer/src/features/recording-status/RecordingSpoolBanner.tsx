import { useEffect, useState } from 'react';
import type { RecordingStatus } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import './recording-status.css';

const mib = (n: number): string => (n / 1024 ** 2).toFixed(0);

/**
 * Warns before the recording spool stops sessions: Gatehouse does not open sessions it cannot
 * record, so a filling spool (recordings waiting for the policy server) must be visible early.
 */
export function RecordingSpoolBanner() {
  const { bridge } = useAppState();
  const [status, setStatus] = useState<RecordingStatus | null>(null);

  useEffect(() => {
    let live = true;
    void bridge.invoke('recordings.status', {}).then((r) => {
      if (live && 'ok' in r) setStatus(r.ok);
    });
    const unsubscribe = bridge.subscribe('recordings.changed', setStatus);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [bridge]);

  const text = status ? describe(status) : null;
  if (!text) return null;
  return (
    <div className={`recording-banner ${status?.spool?.level === 'full' ? 'full' : ''}`} role="alert" data-testid="recording-spool-banner">
      {text}
    </div>
  );
}

function describe(s: RecordingStatus): string | null {
  const parts: string[] = [];
  const spool = s.spool;
  if (spool && spool.level !== 'ok') {
    const size = `${mib(spool.usedBytes)} of ${mib(spool.maxBytes)} MiB`;
    if (spool.level === 'full') parts.push(`The recording spool is full (${size}): ${spool.whenFull === 'refuse' ? 'new sessions cannot be opened' : 'new sessions run UNRECORDED'} until recordings are uploaded.`);
    else parts.push(`The recording spool is over 90 % full (${size}); at 100 % ${spool.whenFull === 'refuse' ? 'new sessions will be refused' : 'new sessions will run unrecorded'}.`);
    if (s.upload?.state === 'offline') parts.push('The policy server is unreachable; uploads resume when it is back.');
    else if (!s.upload) parts.push('No policy server is configured to upload them to.');
  }
  if (s.upload && s.upload.rejected > 0) parts.push(`${s.upload.rejected} recording${s.upload.rejected === 1 ? ' was' : 's were'} refused by the policy server and kept on this computer${s.upload.lastError ? ` (${s.upload.lastError})` : ''}.`);
  return parts.length > 0 ? parts.join(' ') : null;
}

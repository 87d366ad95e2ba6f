import type { GuardNotice } from '@gatehouse/gateway-core/contract';
import { useCallback, useRef, useState } from 'react';
import { HostKeyDialog } from './HostKeyDialog';
import { LinkDialog } from './LinkDialog';
import { PasteConfirmDialog } from './PasteConfirmDialog';
import { ShellApprovalBar, type HeldLine } from './ShellApprovalBar';
import type { TerminalTabModel } from './TerminalTabs';
import { TerminalView, type TerminalHandle } from './TerminalView';
import { useSessionSnapshot } from './use-terminal-session';

/** One tab's body: its xterm, the banners about its session, and its dialogs. */
export function TerminalPane({ tab, active }: { tab: TerminalTabModel; active: boolean }) {
  const { session } = tab;
  const snapshot = useSessionSnapshot(session);
  const handle = useRef<TerminalHandle | null>(null);
  const [pendingPaste, setPendingPaste] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const [held, setHeld] = useState<HeldLine | null>(null);

  // A held line ("approve" with a heldId) gets the approval bar; it outlives the notice, because
  // its request stays worth watching after the user has moved on in the shell.
  const notice = snapshot.notice;
  const heldNotice = notice?.action === 'approve' && notice.heldId ? { ...notice, heldId: notice.heldId } : null;
  if (heldNotice && snapshot.terminalId && held?.notice.heldId !== heldNotice.heldId) setHeld({ terminalId: snapshot.terminalId, notice: heldNotice });

  const onReady = useCallback(
    (h: TerminalHandle) => {
      handle.current = h;
      session.attach({ write: h.write, notice: h.notice });
      // Open only now, so that the pty starts at the pane's real size rather than 80×24.
      if (!session.started) {
        const { cols, rows } = h.size();
        void session.open(cols, rows);
      }
    },
    [session],
  );

  const refocus = (): void => handle.current?.focus();
  const reconnect = (): void => {
    const size = handle.current?.size() ?? { cols: 80, rows: 24 };
    void session.open(size.cols, size.rows);
    refocus();
  };

  return (
    <div
      className="terminal-pane"
      role="tabpanel"
      id={`terminal-panel-${tab.id}`}
      aria-labelledby={`terminal-tab-${tab.id}`}
      hidden={!active}
      data-testid="terminal-container"
      data-connection-id={tab.connection.id}
      data-active={active}
    >
      {held && (
        <ShellApprovalBar
          key={held.notice.heldId}
          held={held}
          onClose={() => {
            if (notice?.heldId === held.notice.heldId) session.dismissNotice();
            setHeld(null);
            refocus();
          }}
        />
      )}
      {snapshot.notice && !heldNotice && (
        <GuardBanner
          notice={snapshot.notice}
          onDismiss={() => {
            session.dismissNotice();
            refocus();
          }}
        />
      )}
      {snapshot.phase === 'blocked' && !snapshot.notice && (
        <div className="terminal-banner danger" role="alert" data-testid="terminal-guard-banner">
          <strong>Blocked.</strong> <span>{snapshot.message ?? 'The gateway refused this session.'}</span>
        </div>
      )}
      {snapshot.phase === 'disconnected' && (
        <div className="terminal-banner warn" role="status" data-testid="terminal-disconnected-banner">
          <span>
            <strong>Disconnected.</strong> {snapshot.message ?? 'The session ended.'}
            {snapshot.exitCode !== null && ` (exit code ${snapshot.exitCode})`}
          </span>
          <button type="button" className="terminal-button primary" data-testid="terminal-reconnect" onClick={reconnect}>
            Reconnect
          </button>
        </div>
      )}
      <TerminalView
        active={active}
        onReady={onReady}
        onData={(data) => session.input(data)}
        onResize={(cols, rows) => session.resize(cols, rows)}
        onMultiLinePaste={setPendingPaste}
        onLink={setLink}
      />
      {snapshot.phase === 'host-key-unknown' && snapshot.fingerprint && (
        <HostKeyDialog
          connectionName={tab.connection.name}
          fingerprint={snapshot.fingerprint}
          onAccept={() => {
            void session.acceptHostKey();
            refocus();
          }}
          onCancel={() => session.rejectHostKey()}
        />
      )}
      {pendingPaste !== null && (
        <PasteConfirmDialog
          text={pendingPaste}
          onConfirm={() => {
            // Through xterm's paste, so the shell's bracketed-paste mode is honoured; onData sends it.
            handle.current?.paste(pendingPaste);
            setPendingPaste(null);
            refocus();
          }}
          onCancel={() => {
            setPendingPaste(null);
            refocus();
          }}
        />
      )}
      {link !== null && (
        <LinkDialog
          url={link}
          onClose={() => {
            setLink(null);
            refocus();
          }}
        />
      )}
    </div>
  );
}

function GuardBanner({ notice, onDismiss }: { notice: GuardNotice; onDismiss: () => void }) {
  const approval = notice.action === 'approve';
  return (
    <div className="terminal-banner danger" role="alert" data-testid="terminal-guard-banner" data-action={notice.action}>
      <span className="terminal-banner-text">
        <strong>{approval ? 'Needs approval, not run.' : 'Blocked, not run.'}</strong> {notice.reason}
        {notice.rule && (
          <>
            {' '}
            · rule <code data-testid="terminal-guard-rule">{notice.rule}</code>
          </>
        )}
        {notice.command && (
          <>
            {' '}
            · <code>{notice.command}</code>
          </>
        )}
      </span>
      <button type="button" className="terminal-icon-button" aria-label="Dismiss notice" data-testid="terminal-guard-dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

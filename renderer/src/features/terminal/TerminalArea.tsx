import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { EmptyArea } from '../workspace/EmptyArea';

export function TerminalArea({ connection }: { connection: ConnectionSummary | null }) {
  return (
    <EmptyArea icon="terminal" title={connection ? connection.name : 'Terminal'}>
      {connection
        ? 'The brokered SSH terminal for this server arrives here: destructive commands are stopped before they run, and output is masked.'
        : 'Pick an SSH connection on the left to open a brokered terminal.'}
    </EmptyArea>
  );
}

import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { EmptyArea } from '../workspace/EmptyArea';

export function SqlEditorArea({ connection }: { connection: ConnectionSummary | null }) {
  return (
    <EmptyArea icon="sql" title={connection ? connection.name : 'SQL editor'}>
      {connection
        ? 'The guarded SQL editor for this database arrives here: queries are checked before they run, and card numbers, emails and SSNs are masked in results.'
        : 'Pick a PostgreSQL connection on the left to open a guarded SQL editor.'}
    </EmptyArea>
  );
}

import { EmptyArea } from '../workspace/EmptyArea';

export function SessionsArea() {
  return (
    <EmptyArea icon="sessions" title="Sessions">
      Recorded SQL and terminal sessions, with replay, appear here.
    </EmptyArea>
  );
}

import { EmptyArea } from '../workspace/EmptyArea';

export function ApprovalsArea() {
  return (
    <EmptyArea icon="approvals" title="Approvals">
      Held writes, risky commands and access requests wait here for an admin’s decision.
    </EmptyArea>
  );
}

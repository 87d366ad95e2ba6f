import type { ReactNode } from 'react';
import { AreaIcon, type AreaIconName } from './AreaIcon';

export function EmptyArea({ icon, title, children }: { icon: AreaIconName; title: string; children: ReactNode }) {
  return (
    <div className="empty-area">
      <div className="empty-icon">
        <AreaIcon name={icon} />
      </div>
      <h3>{title}</h3>
      <p>{children}</p>
    </div>
  );
}

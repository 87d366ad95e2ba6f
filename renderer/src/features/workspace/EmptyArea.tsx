import type { ReactNode } from 'react';

export function EmptyArea({ icon, title, children }: { icon: string; title: string; children: ReactNode }) {
  return (
    <div className="empty-area">
      <div className="empty-icon" aria-hidden>
        {icon}
      </div>
      <h3>{title}</h3>
      <p>{children}</p>
    </div>
  );
}

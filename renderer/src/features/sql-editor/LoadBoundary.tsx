import { Component, type ReactNode } from 'react';

/**
 * Catches a failed lazy load (Monaco's chunk missing or unreachable) so it costs only the editor
 * pane, not the whole app: without a boundary React unmounts everything above the failure.
 */
export class LoadBoundary extends Component<{ children: ReactNode; what: string }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="sql-monaco loading" role="alert">
        <span>
          The {this.props.what} failed to load.{' '}
          <button type="button" className="small-button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </span>
      </div>
    );
  }
}

import { useState } from 'react';
import { ApprovalsProvider } from '../features/approvals/ApprovalsProvider';
import { ConnectionList } from '../features/connections/ConnectionList';
import { DemoBanner } from '../features/demo-banner/DemoBanner';
import { IdentitySwitcher } from '../features/identity/IdentitySwitcher';
import { LocalPortsPanel } from '../features/local-ports/LocalPortsPanel';
import { RecordingSpoolBanner } from '../features/recording-status/RecordingSpoolBanner';
import { Workspace, type WorkspaceArea } from '../features/workspace/Workspace';
import { useAppState } from './AppContext';
import { useTheme } from './use-theme';

export function App() {
  const { info, error } = useAppState();
  const [theme, toggleTheme] = useTheme();
  const [area, setArea] = useState<WorkspaceArea>('sql');
  const [selectedConnection, setSelectedConnection] = useState<string | null>(null);

  return (
    <div className="app-frame">
      <div className="app-banners">
        {info?.mode === 'demo' && <DemoBanner />}
        <RecordingSpoolBanner />
      </div>
      <header className="top-bar">
        <div className="brand">
          <img src="./favicon.svg" alt="" width={22} height={22} />
          <span>Gatehouse</span>
        </div>
        <div className="top-bar-end">
          <button type="button" className="icon-button" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <IdentitySwitcher />
        </div>
      </header>
      <ApprovalsProvider>
        <div className="body">
          <aside className="sidebar" aria-label="Connections">
            <ConnectionList
              selectedId={selectedConnection}
              onSelect={(connection) => {
                setSelectedConnection(connection.id);
                setArea(connection.type === 'postgres' ? 'sql' : 'terminal');
              }}
            />
            <LocalPortsPanel selectedConnection={selectedConnection} />
          </aside>
          <main className="main-area">
            <Workspace area={area} onAreaChange={setArea} selectedConnection={selectedConnection} />
          </main>
        </div>
      </ApprovalsProvider>
      <footer className="status-bar" role="status">
        {error ? <span className="status-error">{error}</span> : <span>{info ? `Gatehouse ${info.version} · ${info.shell === 'electron' ? 'desktop' : 'browser shell'}` : 'Connecting to host…'}</span>}
      </footer>
    </div>
  );
}

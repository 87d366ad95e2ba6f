import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { AppContextProvider } from './app/AppContext';
import { getBridge } from './bridge/get-bridge';
import './app/theme.css';

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <AppContextProvider bridge={getBridge()}>
      <App />
    </AppContextProvider>
  </StrictMode>,
);

// First: before any validator runs (see the file for why).
import './lib/csp-safe-zod.js';
import { SalonClient } from '@salon/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.js';
import { ClientContext } from './hooks/use-client.js';
import './styles.css';

const client = new SalonClient({ baseUrl: location.origin });
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <ClientContext value={client}>
      <App />
    </ClientContext>
  </StrictMode>,
);

// The offline shell (sw/service-worker.js): only in the built app, where its file list exists.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((err: unknown) => {
      console.warn('the offline shell could not be installed', err);
    });
  });
}

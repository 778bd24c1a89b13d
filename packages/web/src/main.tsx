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

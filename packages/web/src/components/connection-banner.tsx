import { useConnectionStatus } from '../hooks/use-client.js';
import type { ConnectionStatus } from '../sdk.js';

/** One line about the live connection, or nothing while it is fine over WebSocket. */
export function bannerText(status: ConnectionStatus): string | null {
  switch (status.state) {
    case 'idle':
      return null;
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'offline':
      return 'Offline. Messages you send will go out when you are back online.';
    case 'disconnected':
      return 'Disconnected. Reload the page to connect again.';
    case 'connected':
      return status.transport === 'long_polling' ? 'Connected over long polling' : null;
  }
}

export function ConnectionBanner() {
  const status = useConnectionStatus();
  const text = bannerText(status);
  // The live region stays in the accessibility tree (empty while all is well) so that each
  // change is announced; CSS collapses it when empty.
  return (
    <div
      className="banner"
      role="status"
      data-state={status.state}
      data-transport={status.transport ?? undefined}
    >
      {text}
    </div>
  );
}

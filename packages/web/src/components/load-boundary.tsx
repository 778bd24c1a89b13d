import { Component, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
}

interface State {
  failed: boolean;
}

/**
 * Screens and dialogs are chunks fetched when first shown (app.tsx). One that cannot be fetched
 * (the network dropped, or a new version replaced the files this page names) would otherwise
 * unmount the whole app and leave a blank page: this says so instead, and a reload fetches the
 * current version.
 */
export class LoadBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="splash">
        <h1 className="brand">Salon</h1>
        <p role="alert">Part of Salon could not be loaded. Check your connection, then reload.</p>
        <button type="button" className="primary" onClick={() => location.reload()}>
          Reload
        </button>
      </main>
    );
  }
}

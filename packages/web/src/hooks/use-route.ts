import { useSyncExternalStore } from 'react';

/** The app's two places: the list (`/`) and one conversation (`/rooms/<id>`). */
export interface Route {
  roomId: string | null;
}

const NAVIGATE = 'salon:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

export function roomPath(roomId: string): string {
  return `/rooms/${encodeURIComponent(roomId)}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/**
 * Back to the list once the open conversation is gone (left, declined, blocked): the focus goes
 * to the list rather than being lost to the page with the controls that held it.
 */
export function backToList(): void {
  navigate('/', { replace: true });
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-list-focus]')?.focus());
}

let cachedPath = '';
let cachedRoute: Route = { roomId: null };

function currentRoute(): Route {
  if (location.pathname !== cachedPath) {
    cachedPath = location.pathname;
    const match = /^\/rooms\/([^/]+)\/?$/.exec(cachedPath);
    cachedRoute = { roomId: match?.[1] ? safeDecode(match[1]) : null };
  }
  return cachedRoute;
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, currentRoute);
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

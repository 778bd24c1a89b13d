import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { useClient } from '../hooks/use-client.js';
import { errorText } from '../lib/error-text.js';

interface Props {
  /** The scrolling list: nearing its end loads the next page by itself. */
  scroller: RefObject<HTMLElement | null>;
  /** Changes when a page arrives (the list's length), to look again. */
  loaded: number;
}

/** How close to the list's end (px) the next page starts loading. */
const NEAR_END_PX = 300;

/**
 * The server sends the list a page at a time: scrolling near its end loads the next page
 * (infinite scroll), and a "Load more conversations" button does the same for keyboards and
 * for when scrolling is not possible.
 */
export function LoadMoreRooms({ scroller, loaded }: Props) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const load = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await client.loadMoreRooms();
    } catch (err) {
      setError(errorText(err));
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, [client]);

  // Near the end already (a short page), or once scrolled there: the next page. A failed load
  // waits for the button, so that an outage does not turn into a loop of requests.
  useEffect(() => {
    const el = scroller.current;
    if (!el || error !== null) return;
    const check = () => {
      if (el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END_PX) void load();
    };
    check();
    el.addEventListener('scroll', check, { passive: true });
    return () => el.removeEventListener('scroll', check);
  }, [scroller, load, loaded, error]);

  return (
    <div className="load-more">
      <button type="button" className="link" disabled={busy} onClick={() => void load()}>
        {busy ? 'Loading more conversations…' : 'Load more conversations'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Share of a message (or of the view, for one taller than it) that must be on screen to count. */
const SEEN_RATIO = 0.5;

/**
 * The highest `seq` among the messages (`[data-seq]` items under `rootRef`) that were on screen
 * while the tab was visible: what a person saw, not what arrived. Watches with an
 * IntersectionObserver; a tab that becomes visible again counts what is on screen then.
 * `onSeen` is called each time it moves forward.
 */
export function useSeenSeq(
  rootRef: RefObject<HTMLElement | null>,
  initial: number,
  onSeen: (seq: number) => void,
  /** Changes whenever the rendered messages may have changed (new items to watch). */
  renderKey: unknown,
): number {
  const [seen, setSeen] = useState(initial);
  const seenRef = useRef(initial);
  const onScreen = useRef(new Set<number>());
  const observer = useRef<IntersectionObserver | null>(null);
  const watched = useRef(new WeakSet<Element>());
  const onSeenRef = useRef(onSeen);
  onSeenRef.current = onSeen;

  const advance = useCallback(() => {
    if (document.visibilityState !== 'visible' || onScreen.current.size === 0) return;
    const newest = Math.max(...onScreen.current);
    if (newest <= seenRef.current) return;
    seenRef.current = newest;
    setSeen(newest);
    onSeenRef.current(newest);
  }, []);

  useEffect(() => {
    const root = rootRef.current;
    if (!root) return;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const seq = Number((entry.target as HTMLElement).dataset.seq);
          if (!(seq > 0)) continue;
          const rootHeight = entry.rootBounds?.height ?? Infinity;
          const enough =
            entry.isIntersecting &&
            (entry.intersectionRatio >= SEEN_RATIO ||
              entry.intersectionRect.height >= rootHeight * SEEN_RATIO);
          if (enough) onScreen.current.add(seq);
          else onScreen.current.delete(seq);
        }
        advance();
      },
      { root, threshold: [0, SEEN_RATIO, 1] },
    );
    observer.current = io;
    watched.current = new WeakSet();
    document.addEventListener('visibilitychange', advance);
    return () => {
      io.disconnect();
      observer.current = null;
      onScreen.current.clear();
      document.removeEventListener('visibilitychange', advance);
    };
  }, [rootRef, advance]);

  useEffect(() => {
    const io = observer.current;
    const root = rootRef.current;
    if (!io || !root) return;
    for (const item of root.querySelectorAll('[data-seq]')) {
      if (watched.current.has(item)) continue;
      watched.current.add(item);
      io.observe(item);
    }
  }, [rootRef, renderKey]);

  return seen;
}

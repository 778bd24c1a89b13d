import { useEffect, useRef, useState, type CSSProperties, type PointerEvent } from 'react';

/** How long a finger rests on a message to open its menu, ms (as on Android and iOS). */
const LONG_PRESS_MS = 500;
/** A finger that moves more than this (px) is scrolling or swiping, not pressing. */
const MOVE_SLOP_PX = 10;
/** How far a message follows a swipe, and how far it must go to reply, px. */
const SWIPE_MAX_PX = 80;
const SWIPE_REPLY_PX = 56;

interface Options {
  enabled: boolean;
  onLongPress: () => void;
  onSwipeRight: () => void;
}

/**
 * Touch gestures on a message: a long press opens its menu, a swipe to the right replies (the
 * bubble follows the finger). Mouse input is left alone: it has the button and a right click.
 * Needs `touch-action: pan-y` on the element, so horizontal moves come here, not to the page.
 */
export function useMessageGestures({ enabled, onLongPress, onSwipeRight }: Options) {
  const start = useRef<{ x: number; y: number; id: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const swiping = useRef(false);
  const [offset, setOffset] = useState(0);

  useEffect(() => () => clearTimeout(timer.current), []);

  const reset = () => {
    clearTimeout(timer.current);
    start.current = null;
    swiping.current = false;
    setOffset(0);
  };

  const handlers = {
    onPointerDown: (event: PointerEvent<HTMLElement>) => {
      if (!enabled || event.pointerType === 'mouse' || !event.isPrimary) return;
      start.current = { x: event.clientX, y: event.clientY, id: event.pointerId };
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        if (start.current && !swiping.current) {
          start.current = null;
          onLongPress();
        }
      }, LONG_PRESS_MS);
    },
    onPointerMove: (event: PointerEvent<HTMLElement>) => {
      const from = start.current;
      if (!from || event.pointerId !== from.id) return;
      const dx = event.clientX - from.x;
      const dy = event.clientY - from.y;
      if (Math.abs(dx) > MOVE_SLOP_PX || Math.abs(dy) > MOVE_SLOP_PX) clearTimeout(timer.current);
      if (!swiping.current && dx > MOVE_SLOP_PX && dx > Math.abs(dy) * 1.5) swiping.current = true;
      if (swiping.current) setOffset(Math.max(0, Math.min(dx, SWIPE_MAX_PX)));
    },
    onPointerUp: (event: PointerEvent<HTMLElement>) => {
      const from = start.current;
      const replied =
        from !== null &&
        swiping.current &&
        event.pointerId === from.id &&
        event.clientX - from.x >= SWIPE_REPLY_PX;
      reset();
      if (replied) onSwipeRight();
    },
    onPointerCancel: reset,
  };

  const style: CSSProperties | undefined =
    offset > 0 ? { transform: `translateX(${offset}px)` } : undefined;
  return { handlers, style };
}

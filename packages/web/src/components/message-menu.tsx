import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuAction {
  label: string;
  icon: ReactNode;
  onSelect: () => void;
  danger?: boolean;
  /** The choice moves the focus itself (to the composer, the editor, a question). */
  movesFocus?: boolean;
}

interface Props {
  /** The element the menu belongs to: it opens beside it and focus returns to it. */
  anchor: HTMLElement;
  actions: readonly MenuAction[];
  /** `restoreFocus` is false when the choice moves the focus itself (Reply, Edit). */
  onClose: (restoreFocus: boolean) => void;
}

/** Keeps a margin to the screen's edges, px. */
const EDGE = 8;

/**
 * A message's actions as a menu (the ARIA menu pattern): opens with the focus on its first item;
 * arrow keys, Home and End move; Enter chooses; Escape, Tab, a tap elsewhere or scrolling close
 * it. Fixed over the page, so opening it moves nothing else.
 */
export function MessageMenu({ anchor, actions, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const menu = ref.current;
    if (!menu) return;
    const at = anchor.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    let top = at.bottom + 4;
    if (top + height > window.innerHeight - EDGE) top = Math.max(EDGE, at.top - height - 4);
    const left = Math.min(Math.max(EDGE, at.right - width), window.innerWidth - width - EDGE);
    // Placed before it is focused: a hidden element cannot take the focus.
    menu.style.top = `${String(top)}px`;
    menu.style.left = `${String(left)}px`;
    menu.style.visibility = 'visible';
    menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
  }, [anchor]);

  useEffect(() => {
    const outside = (event: PointerEvent) => {
      const target = event.target as Element;
      if (ref.current?.contains(target)) return;
      // The button that opened the menu closes it by itself (a toggle).
      if (anchor.contains(target) && target.closest('[aria-haspopup="menu"]')) return;
      onCloseRef.current(false);
    };
    const scrolled = (event: Event) => {
      if (!ref.current?.contains(event.target as Node)) onCloseRef.current(false);
    };
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('scroll', scrolled, true);
    window.addEventListener('resize', scrolled);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('scroll', scrolled, true);
      window.removeEventListener('resize', scrolled);
    };
  }, [anchor]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => items[(i + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        focusAt(index + 1);
        break;
      case 'ArrowUp':
        focusAt(index - 1);
        break;
      case 'Home':
        focusAt(0);
        break;
      case 'End':
        focusAt(items.length - 1);
        break;
      case 'Escape':
        onClose(true);
        break;
      case 'Tab':
        onClose(true);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={ref}
      className="menu"
      role="menu"
      aria-label="Message actions"
      style={{ visibility: 'hidden', top: 0, left: 0 }}
      onKeyDown={onKeyDown}
    >
      {actions.map((action) => (
        <button
          key={action.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={action.danger ? 'danger' : undefined}
          onClick={action.onSelect}
        >
          {action.icon}
          {action.label}
        </button>
      ))}
    </div>
  );
}

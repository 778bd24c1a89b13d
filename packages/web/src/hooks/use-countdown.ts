import { useEffect, useState } from 'react';

/**
 * Whole seconds left until `deadline` (ms since the epoch), ticking once a second; 0 once it
 * has passed or when there is none.
 */
export function useCountdown(deadline: number | null): number {
  const left = () => secondsUntil(deadline);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (deadline === null) return;
    const timer = setInterval(() => {
      const s = left();
      setSeconds(s);
      if (s === 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [deadline]);
  return seconds;
}

function secondsUntil(deadline: number | null): number {
  return deadline === null ? 0 : Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

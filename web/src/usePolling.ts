/** Loads something now and again every `everyMs`, keeping the last good value when a refresh fails. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api.ts';

export function usePolling<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(load);
  latest.current = load;

  const refresh = useCallback(async () => {
    try {
      setData(await latest.current());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
    if (everyMs <= 0) return;
    const timer = setInterval(() => void refresh(), everyMs);
    return () => clearInterval(timer);
  }, [refresh, everyMs, ...deps]);

  return { data, error, refresh, setData };
}

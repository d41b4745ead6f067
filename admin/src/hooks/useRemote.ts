import { useCallback, useEffect, useRef, useState } from 'react';

import { toApiFailure, type ApiFailure } from '../api/errors';

export interface Remote<T> {
  data: T | undefined;
  failure: ApiFailure | undefined;
  /** True until the first answer (not while reloading: the page keeps showing the old data). */
  isLoading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data with an answer obtained otherwise (e.g. the body of a PUT). */
  setData: (data: T) => void;
}

/**
 * Loads `load()` now and whenever `key` changes; the latest call wins. For the pages' GETs;
 * actions (create, delete …) call the API directly and handle their own failures.
 */
export function useRemote<T>(load: () => Promise<T>, key: string): Remote<T> {
  const [state, setState] = useState<{ data?: T; failure?: ApiFailure; isLoading: boolean }>({ isLoading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const call = ++latest.current;
    try {
      const data = await loadRef.current();
      if (call === latest.current) setState({ data, isLoading: false });
    } catch (error) {
      // Aborted because the page went away: nothing to show.
      if ((error as Error)?.name === 'AbortError') return;
      if (call === latest.current) setState((s) => ({ data: s.data, failure: toApiFailure(error), isLoading: false }));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [key, reload]);

  const setData = useCallback((data: T) => setState({ data, isLoading: false }), []);
  return { data: state.data, failure: state.failure, isLoading: state.isLoading, reload, setData };
}

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import { documentTitle } from './routes';

/** Sets «<page> — РАЦ Старый Оскол» as the tab's title while the page is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
}

/** How often and how long a payment's page asks: the bank's callback usually arrives within seconds. */
const POLL_MS = 2_000;
const POLL_FOR_MS = 3 * 60_000;

/**
 * A payment's status after the bank sent the payer back (/payments/return, /pay/result): asked for
 * every 2 s until `isFinal` says it is settled (then `onFinal`), it is not found, or 3 minutes pass
 * (`gaveUp`: the page then says the money will arrive anyway).
 */
export function usePaymentPoll<T>(
  id: string,
  load: (id: string, signal: AbortSignal) => Promise<T>,
  isFinal: (payment: T) => boolean,
  onFinal?: () => void,
): { payment: T | null; error: ApiError | null; gaveUp: boolean } {
  const [payment, setPayment] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [gaveUp, setGaveUp] = useState(false);

  // The functions are the page's constants: the poll restarts only for another payment.
  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const current = await load(id, abort.signal);
        setPayment(current);
        setError(null);
        if (isFinal(current)) {
          onFinal?.();
          return;
        }
      } catch (caught) {
        if (abort.signal.aborted) return;
        if (caught instanceof ApiError) {
          setError(caught);
          if (caught.status === 404) return;
        }
      }
      if (Date.now() - started > POLL_FOR_MS) setGaveUp(true);
      else timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [id]);

  return { payment, error, gaveUp };
}

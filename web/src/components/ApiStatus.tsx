import { useEffect, useState } from 'preact/hooks';
import { getHealth } from '../api/client';

type Status = 'checking' | 'up' | 'down';

const LABELS: Record<Status, string> = {
  checking: 'Проверка связи с сервисом…',
  up: 'Сервис работает',
  down: 'Сервис недоступен',
};

const TIMEOUT_MS = 10_000;

/** Asks GET /api/health once per page load and says whether the service answers. */
export function ApiStatus() {
  const [status, setStatus] = useState<Status>('checking');

  useEffect(() => {
    let mounted = true;
    const controller = new AbortController();
    // A service that does not answer in time is as unavailable as one that refuses.
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    getHealth(controller.signal)
      .then((health) => health?.status === 'ok')
      .catch(() => false)
      .then((up) => {
        clearTimeout(timer);
        if (mounted) setStatus(up ? 'up' : 'down');
      });
    return () => {
      mounted = false;
      clearTimeout(timer);
      controller.abort();
    };
  }, []);

  return (
    <p class={`api-status api-status--${status}`} role="status">
      <span class="api-status__dot" aria-hidden="true" />
      <span data-testid="api-status">{LABELS[status]}</span>
    </p>
  );
}

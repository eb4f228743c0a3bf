/*
 * The ALTCHA widget, loaded only by pages with a robot check (a dynamic import from Captcha.tsx),
 * in its strict-CSP form: `altcha/external` carries no inline styles or blob workers, its CSS is
 * a stylesheet of the site and its PBKDF2 worker a script file of the site, so the site's CSP
 * (`'self'` only, shared/sitePolicy.ts) needs nothing added.
 */
import 'altcha/external';
import 'altcha/i18n/ru';
import 'altcha/altcha.css';
import type { AltchaWidgetElement } from 'altcha/types/generic';
import Pbkdf2Worker from 'altcha/workers/pbkdf2?worker';

const ALGORITHM = 'PBKDF2/SHA-256';
globalThis.$altcha.algorithms.set(ALGORITHM, () => new Pbkdf2Worker());

export type WidgetState = 'unverified' | 'verifying' | 'verified' | 'error' | 'expired' | 'code';

/**
 * Puts a widget for `challenge` into `container` and starts the work at once, so it is usually
 * done by the time the form is filled in. Returns a function that removes it.
 */
export function mountAltcha(
  container: HTMLElement,
  challenge: unknown,
  on: { payload: (payload: string) => void; state: (state: WidgetState) => void },
): () => void {
  const widget = document.createElement('altcha-widget') as AltchaWidgetElement;
  widget.setAttribute('language', 'ru');
  widget.setAttribute('name', 'altcha');
  // A JSON challenge in the attribute: the widget fetches nothing itself.
  widget.setAttribute('challenge', JSON.stringify(challenge));
  widget.setAttribute('auto', 'onload');
  // The work is the check: no need to make a resident wait longer than it takes.
  widget.setAttribute('configuration', JSON.stringify({ hideFooter: true, hideLogo: true, minDuration: 0 }));
  widget.addEventListener('statechange', (event) => {
    const { state, payload } = (event as CustomEvent<{ state: WidgetState; payload?: string | null }>).detail;
    on.state(state);
    on.payload(state === 'verified' && payload ? payload : '');
  });
  container.replaceChildren(widget);
  return () => widget.remove();
}

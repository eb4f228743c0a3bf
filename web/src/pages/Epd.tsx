import { useEffect, useRef, useState } from 'preact/hooks';
import { MONTHS, periodTitle } from '#shared/format';
import { epdFileName, fetchEpd } from '../api/epd';
import { defaultBillMonth, isFuture, moscowMonth, periodOf } from '../billMonth';
import { FormAlert, SubmitButton } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { useFormStatus } from '../forms';
import { pageById } from '../routes';
import { useSession } from '../session';

/** How many years back the resident may pick. */
const YEARS_BACK = 4;

interface Ready {
  period: string;
  url: string;
  size: number;
}

/** «Печать квитанций»: the ЕПД of a chosen month as a PDF. */
export function EpdPage() {
  const page = pageById('epd');
  const { me } = useSession();
  const now = moscowMonth();
  const initial = defaultBillMonth();
  const [year, setYear] = useState(initial.year);
  const [month, setMonth] = useState(initial.month);
  const [ready, setReady] = useState<Ready | null>(null);
  const form = useFormStatus();
  const link = useRef<HTMLAnchorElement>(null);

  // The previous PDF's object URL is released when a new one replaces it or the page closes.
  useEffect(() => () => (ready ? URL.revokeObjectURL(ready.url) : undefined), [ready]);
  // A new bill downloads at once; the link stays for a second copy.
  useEffect(() => {
    if (ready) link.current?.click();
  }, [ready]);

  const years = Array.from({ length: YEARS_BACK + 1 }, (_, i) => now.year - i);
  const future = (y: number, m: number) => isFuture({ year: y, month: m }, now);

  async function submit(event: Event) {
    event.preventDefault();
    setReady(null);
    const period = periodOf({ year, month });
    const result = await form.send(() => fetchEpd(period));
    if (!result.ok) return;
    setReady({ period, url: URL.createObjectURL(result.value), size: result.value.size });
  }

  return (
    <PageFrame title={page.title}>
      <p class="page__lead">
        Единый платёжный документ (ЕПД) за выбранный месяц — в формате PDF: его можно распечатать или оплатить по
        QR-коду в приложении банка. Квитанция за прошедший месяц появляется в начале следующего, до 5-го числа.
      </p>
      <div class="notice">
        <p class="notice__title">Квитанция на электронную почту</p>
        <p>
          Каждый месяц присылаем ЕПД на почту тем, кто включил рассылку: отметьте «Присылать квитанцию (ЕПД) на почту» в{' '}
          <a href="/profile">профиле</a>.
        </p>
      </div>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate data-testid="epd-form">
        <FormAlert error={form.error} />
        <div class="field">
          <label class="field__label" for="epd-month">
            Месяц
          </label>
          <select
            id="epd-month"
            name="month"
            class="field__input field__input--short"
            value={String(month)}
            onChange={(event) => setMonth(Number(event.currentTarget.value))}
          >
            {MONTHS.map((title, i) => (
              <option key={title} value={String(i + 1)} disabled={future(year, i + 1)}>
                {title}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label class="field__label" for="epd-year">
            Год
          </label>
          <select
            id="epd-year"
            name="year"
            class="field__input field__input--short"
            value={String(year)}
            onChange={(event) => {
              const next = Number(event.currentTarget.value);
              setYear(next);
              if (future(next, month)) setMonth(now.month);
            }}
          >
            {years.map((y) => (
              <option key={y} value={String(y)}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <SubmitButton busy={form.busy}>Сформировать квитанцию</SubmitButton>
        {ready && (
          <div class="alert alert--success" role="status" data-testid="epd-ready">
            <p>
              Квитанция за {periodTitle(ready.period).toLowerCase()} г. сформирована.{' '}
              <a
                ref={link}
                href={ready.url}
                download={epdFileName(me?.account ?? 'ls', ready.period)}
                data-testid="epd-download"
              >
                Скачать PDF ({Math.max(1, Math.round(ready.size / 1024))} КБ)
              </a>
            </p>
          </div>
        )}
      </form>
    </PageFrame>
  );
}

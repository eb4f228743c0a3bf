import { CENTRE } from '#shared/centre';
import { PageFrame } from '../components/PageFrame';
import type { PageDefinition } from '../routes';

/** A section whose page is not built yet: its real frame and heading, and no invented data. */
export function SectionPlaceholder({ page }: { page: PageDefinition }) {
  return (
    <PageFrame title={page.title}>
      {page.summary && <p class="page__lead">{page.summary}</p>}
      <div class="notice" data-testid="section-placeholder">
        <p class="notice__title">Раздел готовится.</p>
        <p>
          Скоро он заработает в личном кабинете. А пока с вопросами обращайтесь в центр по телефону{' '}
          <a href={CENTRE.phone.href}>{CENTRE.phone.display}</a>.
        </p>
      </div>
      <p>
        <a href="/">Вернуться на главную</a>
      </p>
    </PageFrame>
  );
}

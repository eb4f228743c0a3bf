import { CENTRE } from '#shared/centre';
import { ApiStatus } from './ApiStatus';

export function Footer() {
  return (
    <footer class="site-footer">
      <div class="container site-footer__grid">
        <section aria-labelledby="footer-contacts">
          <h2 id="footer-contacts" class="site-footer__heading">
            Контакты
          </h2>
          <address class="site-footer__address">
            <span class="site-footer__org">{CENTRE.fullName}</span>
            <span>{CENTRE.address}</span>
            <span>
              Телефон:{' '}
              <a class="site-footer__phone" href={CENTRE.phone.href}>
                {CENTRE.phone.display}
              </a>
            </span>
          </address>
        </section>
        <section aria-labelledby="footer-hours">
          <h2 id="footer-hours" class="site-footer__heading">
            Часы приёма
          </h2>
          <dl class="hours">
            {CENTRE.hours.map((row) => (
              <div class="hours__row" key={row.days}>
                <dt>{row.days}</dt>
                <dd>{row.time}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section aria-labelledby="footer-service">
          <h2 id="footer-service" class="site-footer__heading">
            Личный кабинет
          </h2>
          <p class="site-footer__note">Работает круглосуточно. Время — московское.</p>
          <ApiStatus />
        </section>
      </div>
      <div class="site-footer__bottom">
        <p class="container">
          © {new Date().getFullYear()} {CENTRE.fullName}
        </p>
      </div>
    </footer>
  );
}

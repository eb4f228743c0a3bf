import { PageFrame } from '../components/PageFrame';
import { servicePages } from '../routes';
import { useSession } from '../session';

export function Home() {
  const { me } = useSession();
  return (
    <PageFrame title="Главная" heading="Личный кабинет жителя">
      <section class="hero" aria-labelledby="hero-lead">
        <p id="hero-lead" class="hero__lead">
          Передавайте показания счётчиков, следите за начислениями и оплачивайте жилищно-коммунальные услуги онлайн —
          без очередей, в любое удобное время.
        </p>
        {me ? (
          <div class="button-row">
            <a class="button button--primary" href="/account">
              Перейти к лицевому счёту
            </a>
            <a class="button button--secondary" href="/pay">
              Оплатить за другой счёт
            </a>
          </div>
        ) : (
          <div class="button-row">
            <a class="button button--primary" href="/login">
              Войти
            </a>
            <a class="button button--secondary" href="/register">
              Зарегистрироваться
            </a>
            <a class="button button--secondary" href="/pay">
              Оплатить без входа
            </a>
            <a class="button button--secondary" href="/readings/quick">
              Передать показания без входа
            </a>
          </div>
        )}
      </section>

      <section class="section" aria-labelledby="services-heading">
        <h2 id="services-heading">Что можно сделать в личном кабинете</h2>
        <ul class="card-grid">
          {servicePages().map((page) => (
            <li class="card" key={page.path}>
              <h3 class="card__title">
                <a href={page.path}>{page.title}</a>
              </h3>
              <p>{page.summary}</p>
            </li>
          ))}
        </ul>
      </section>

      <section class="section" aria-labelledby="start-heading">
        <h2 id="start-heading">Как подключиться</h2>
        <ol class="steps">
          <li>Найдите в квитанции номер лицевого счёта — шесть цифр.</li>
          <li>
            <a href="/register">Зарегистрируйтесь</a>: укажите номер лицевого счёта, серию и номер паспорта владельца и
            адрес электронной почты.
          </li>
          <li>Откройте ссылку из письма и задайте пароль — после этого можно входить в личный кабинет.</li>
        </ol>
      </section>
    </PageFrame>
  );
}

import { CENTRE } from '#shared/centre';

/**
 * Every page of the site, listed once: the router, the navigation, the home page's list of
 * services and the document titles all read this table. Each page's component is mapped to its id
 * in `app.tsx`, where a page without one fails to compile.
 */
export interface PageDefinition {
  id: string;
  path: string;
  /** The page's heading; the document title is derived from it. */
  title: string;
  /** Label in the main navigation; absent: the page is not in the navigation. */
  navLabel?: string;
  /**
   * Label in the navigation of a visitor who is not logged in (the pages that work without login);
   * such a visitor's menu leaves out the pages behind the login, which would only show the login form.
   */
  guestNavLabel?: string;
  /** What the section lets a resident do: the home page and the account's quick links show it. */
  summary?: string;
  /** Listed on the home page among the cabinet's services. */
  service?: boolean;
  /** Only for a logged-in resident: anyone else is sent to the login page, and back afterwards. */
  requiresLogin?: boolean;
}

export const PAGES = [
  { id: 'home', path: '/', title: 'Главная', navLabel: 'Главная' },
  {
    id: 'account',
    path: '/account',
    title: 'Лицевой счёт',
    navLabel: 'Мой счёт',
    summary: 'Владелец, адрес, площадь и баланс лицевого счёта.',
    requiresLogin: true,
  },
  {
    id: 'readings',
    path: '/readings',
    title: 'Передача показаний',
    navLabel: 'Показания',
    summary:
      'Передавайте показания счётчиков воды, электроэнергии и газа в период приёма — обычно с 25-го числа до конца месяца.',
    service: true,
    requiresLogin: true,
  },
  {
    id: 'readings-history',
    path: '/readings/history',
    title: 'История показаний',
    summary: 'Переданные показания и расход по каждому счётчику, графики расхода по месяцам.',
    requiresLogin: true,
  },
  {
    id: 'readings-quick',
    path: '/readings/quick',
    title: 'Показания без входа в личный кабинет',
    guestNavLabel: 'Показания без входа',
    summary: 'Передача показаний по номеру лицевого счёта, без регистрации.',
  },
  {
    id: 'statement',
    path: '/statement',
    title: 'Начисления и платежи',
    navLabel: 'Начисления',
    summary: 'Смотрите баланс лицевого счёта, начисления по услугам и поступившие платежи за каждый месяц.',
    service: true,
    requiresLogin: true,
  },
  {
    id: 'payments',
    path: '/payments',
    title: 'Оплата',
    navLabel: 'Оплата',
    summary: 'Оплачивайте жилищно-коммунальные услуги банковской картой на защищённой странице банка.',
    service: true,
    requiresLogin: true,
  },
  {
    id: 'payment-return',
    path: '/payments/return',
    title: 'Результат оплаты',
    summary: 'Состояние платежа после возврата со страницы банка.',
    requiresLogin: true,
  },
  {
    id: 'payment-receipt',
    path: '/payments/receipt',
    title: 'Квитанция об оплате',
    summary: 'Подтверждение оплаты для печати.',
    requiresLogin: true,
  },
  {
    id: 'pay',
    path: '/pay',
    title: 'Оплата без входа в личный кабинет',
    guestNavLabel: 'Оплата без входа',
    summary: 'Оплата картой за любой лицевой счёт — свой, родителей, арендуемой квартиры — без регистрации.',
  },
  {
    id: 'pay-result',
    path: '/pay/result',
    title: 'Результат оплаты без входа',
    summary: 'Состояние платежа без входа после возврата со страницы банка.',
  },
  {
    id: 'epd',
    path: '/epd',
    title: 'Печать квитанций',
    navLabel: 'Квитанции',
    summary: 'Скачивайте единый платёжный документ (ЕПД) в формате PDF — он формируется до 5-го числа каждого месяца.',
    service: true,
    requiresLogin: true,
  },
  {
    id: 'support',
    path: '/support',
    title: 'Обращения',
    navLabel: 'Обращения',
    summary: 'Задайте вопрос о начислениях или сообщите о проблеме — специалисты центра ответят вам.',
    service: true,
  },
  {
    id: 'news',
    path: '/news',
    title: 'Новости',
    navLabel: 'Новости',
    summary: 'Новости РАЦ: плановые отключения, график работы, изменения тарифов.',
  },
  {
    id: 'tariffs',
    path: '/tariffs',
    title: 'Тарифы',
    navLabel: 'Тарифы',
    summary: 'Действующие тарифы и нормативы потребления коммунальных услуг.',
  },
  {
    id: 'login',
    path: '/login',
    title: 'Вход в личный кабинет',
    summary: 'Вход по номеру лицевого счёта и паролю.',
  },
  {
    id: 'register',
    path: '/register',
    title: 'Регистрация',
    summary: 'Регистрация по номеру лицевого счёта, паспортным данным владельца и адресу электронной почты.',
  },
  {
    id: 'confirm',
    path: '/confirm',
    title: 'Пароль для входа',
    summary: 'Последний шаг регистрации: пароль по ссылке из письма.',
  },
  {
    id: 'recover',
    path: '/recover',
    title: 'Восстановление пароля',
    summary: 'Ссылка для установки нового пароля на адрес почты, указанный при регистрации.',
  },
  {
    id: 'reset',
    path: '/reset',
    title: 'Новый пароль',
    summary: 'Новый пароль по ссылке из письма.',
  },
  {
    id: 'profile',
    path: '/profile',
    title: 'Профиль',
    summary: 'Электронная почта, телефон, уведомления, пароль и согласие на обработку персональных данных.',
    requiresLogin: true,
  },
  {
    id: 'email-confirm',
    path: '/email-confirm',
    title: 'Подтверждение электронной почты',
    summary: 'Подтверждение нового адреса почты по ссылке из письма.',
  },
  {
    id: 'email-undo',
    path: '/email-undo',
    title: 'Отмена смены электронной почты',
    summary: 'Отмена смены адреса почты по ссылке из уведомления на прежний адрес.',
  },
] as const satisfies readonly PageDefinition[];

export type PageId = (typeof PAGES)[number]['id'];
export type Page = (typeof PAGES)[number];

export const NOT_FOUND_TITLE = 'Страница не найдена';

export function pageById(id: PageId): PageDefinition {
  const page = PAGES.find((candidate) => candidate.id === id);
  if (!page) throw new Error(`No page ${id}`);
  return page;
}

/**
 * The main navigation, in the table's order: a resident's own pages once logged in; for anyone
 * else, the open pages and the no-login readings and payment in their place.
 */
export function navPages(loggedIn = true): Array<PageDefinition & { navLabel: string }> {
  const label = (page: PageDefinition) =>
    loggedIn ? page.navLabel : page.requiresLogin ? undefined : (page.guestNavLabel ?? page.navLabel);
  return PAGES.flatMap((page: PageDefinition) => {
    const navLabel = label(page);
    return navLabel ? [{ ...page, navLabel }] : [];
  });
}

export function servicePages(): PageDefinition[] {
  return PAGES.filter((page: PageDefinition) => page.service === true);
}

/** «Главная — РАЦ Старый Оскол». */
export function documentTitle(title: string): string {
  return `${title} — ${CENTRE.shortName}`;
}

/** Whether a navigation link is the current page: a section stays current on its sub-pages. */
export function isCurrentPath(linkPath: string, currentPath: string): boolean {
  if (linkPath === '/') return currentPath === '/';
  return currentPath === linkPath || currentPath.startsWith(`${linkPath}/`);
}

import * as z from 'zod';
import { lazySchema } from '#shared/api/lazySchema';

/** Shapes of the news list (GET /api/news) and of the operator's publication. */

export const NEWS_LIST_MAX = 50;
export const NEWS_LIST_DEFAULT = 20;

const LIMIT_MESSAGE = `Количество новостей — целое число от 1 до ${NEWS_LIST_MAX}`;

export const NewsListQuery = lazySchema(() =>
  z.object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, LIMIT_MESSAGE)
      .transform(Number)
      .pipe(z.number().int().min(1, LIMIT_MESSAGE).max(NEWS_LIST_MAX, LIMIT_MESSAGE))
      .optional()
      .meta({ description: `Сколько новостей вернуть: 1–${NEWS_LIST_MAX}, по умолчанию ${NEWS_LIST_DEFAULT}` }),
  }),
);

export const NewsItem = lazySchema(() =>
  z
    .object({
      id: z.string(),
      title: z.string(),
      publishedAt: z.string().meta({ description: 'Время публикации, ISO 8601 (UTC)' }),
      text: z.string().meta({ description: 'Текст, как его опубликовал оператор (обычный текст или Markdown)' }),
      html: z.string().meta({
        description:
          'Текст в HTML, подготовленный при публикации: сырой HTML исходника экранирован, ссылки — только http(s), mailto, tel и пути сайта',
      }),
      addresses: z.array(z.string()).meta({
        description: 'Для каких адресов новость (например «мкр. Жукова»); пусто — для всех',
      }),
    })
    .meta({ id: 'NewsItem' }),
);

export const NewsList = lazySchema(() =>
  z.object({ items: z.array(NewsItem).meta({ description: 'Сначала новые' }) }).meta({ id: 'NewsList' }),
);

export const NEWS_TITLE_MAX = 200;
export const NEWS_TEXT_MAX = 20_000;
export const NEWS_ADDRESSES_MAX = 50;

/** The operator's publication, checked before anything is written. */
export const NewsDraft = lazySchema(() =>
  z.object({
    title: z
      .string()
      .trim()
      .min(1, 'Укажите заголовок (--title)')
      .max(NEWS_TITLE_MAX, `Заголовок — не длиннее ${NEWS_TITLE_MAX} символов`)
      .refine((t) => !/[\r\n]/.test(t), 'Заголовок — одна строка'),
    text: z
      .string()
      .trim()
      .min(1, 'Текст новости пуст')
      .max(NEWS_TEXT_MAX, `Текст — не длиннее ${NEWS_TEXT_MAX} символов`),
    format: z.enum(['markdown', 'text']),
    addresses: z
      .array(z.string().trim().min(3, 'Адрес — не короче 3 символов').max(200, 'Адрес — не длиннее 200 символов'))
      .max(NEWS_ADDRESSES_MAX, `Не больше ${NEWS_ADDRESSES_MAX} адресов`),
  }),
);
export type NewsDraft = z.input<typeof NewsDraft>;

import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';

/** Shapes of the news list (GET /api/news) and of the operator's publication. */

export const NEWS_LIST_MAX = 50;
export const NEWS_LIST_DEFAULT = 20;

const LIMIT_MESSAGE = `Количество новостей — целое число от 1 до ${NEWS_LIST_MAX}`;

export const NewsListQuery = /* @__PURE__ */ lazySchema(() =>
  z.object({
    limit: z
      .optional(
        z.pipe(
          z.pipe(z.string().check(z.regex(/^\d{1,3}$/, LIMIT_MESSAGE)), z.transform(Number)),
          z.number().check(z.int(), z.gte(1, LIMIT_MESSAGE), z.lte(NEWS_LIST_MAX, LIMIT_MESSAGE)),
        ),
      )
      .check(
        z.meta({ description: `Сколько новостей вернуть: 1–${NEWS_LIST_MAX}, по умолчанию ${NEWS_LIST_DEFAULT}` }),
      ),
  }),
);

export const NewsItem = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      title: z.string(),
      publishedAt: z.string().check(z.meta({ description: 'Время публикации, ISO 8601 (UTC)' })),
      text: z
        .string()
        .check(z.meta({ description: 'Текст, как его опубликовал оператор (обычный текст или Markdown)' })),
      html: z.string().check(
        z.meta({
          description:
            'Текст в HTML, подготовленный при публикации: сырой HTML исходника экранирован, ссылки — только http(s), mailto, tel и пути сайта',
        }),
      ),
      addresses: z.array(z.string()).check(
        z.meta({
          description: 'Для каких адресов новость (например «мкр. Жукова»); пусто — для всех',
        }),
      ),
    })
    .check(z.meta({ id: 'NewsItem' })),
);

export const NewsList = /* @__PURE__ */ lazySchema(() =>
  z
    .object({ items: z.array(NewsItem).check(z.meta({ description: 'Сначала новые' })) })
    .check(z.meta({ id: 'NewsList' })),
);

export const NEWS_TITLE_MAX = 200;
export const NEWS_TEXT_MAX = 20_000;
export const NEWS_ADDRESSES_MAX = 50;

/** The operator's publication, checked before anything is written. */
export const NewsDraft = /* @__PURE__ */ lazySchema(() =>
  z.object({
    title: z.string().check(
      z.trim(),
      z.minLength(1, 'Укажите заголовок (--title)'),
      z.maxLength(NEWS_TITLE_MAX, `Заголовок — не длиннее ${NEWS_TITLE_MAX} символов`),
      z.refine((t) => !/[\r\n]/.test(t), 'Заголовок — одна строка'),
    ),
    text: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'Текст новости пуст'),
        z.maxLength(NEWS_TEXT_MAX, `Текст — не длиннее ${NEWS_TEXT_MAX} символов`),
      ),
    format: z.enum(['markdown', 'text']),
    addresses: z
      .array(
        z
          .string()
          .check(
            z.trim(),
            z.minLength(3, 'Адрес — не короче 3 символов'),
            z.maxLength(200, 'Адрес — не длиннее 200 символов'),
          ),
      )
      .check(z.maxLength(NEWS_ADDRESSES_MAX, `Не больше ${NEWS_ADDRESSES_MAX} адресов`)),
  }),
);
export type NewsDraft = z.input<typeof NewsDraft>;

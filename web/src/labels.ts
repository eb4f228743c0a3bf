import { SERVICES } from '#shared/registry/services';
import type { SupportStatus, SupportTopic } from './api/accounts';

/** Russian names of the API's codes, as residents read them. */

export const SUPPORT_TOPICS: ReadonlyArray<{ id: SupportTopic; label: string }> = [
  { id: 'question', label: 'Вопрос о начислениях или услугах' },
  { id: 'readings', label: 'Показания счётчиков' },
  { id: 'payments', label: 'Оплата' },
  { id: 'close_cabinet', label: 'Закрыть личный кабинет' },
];

export const SUPPORT_STATUSES: Record<SupportStatus, string> = {
  open: 'Ждёт ответа',
  answered: 'Есть ответ',
  closed: 'Закрыто',
};

export function supportTopicLabel(topic: string): string {
  return SUPPORT_TOPICS.find((candidate) => candidate.id === topic)?.label ?? topic;
}

export function supportStatusLabel(status: string): string {
  return (SUPPORT_STATUSES as Record<string, string>)[status] ?? status;
}

/**
 * «cold_water» → «Холодное водоснабжение», from the one list the ЕПД and billing use too;
 * `advance` is the ledger's name for money paid ahead of any charge.
 */
export function serviceTitle(service: string): string {
  if (service === 'advance') return 'Аванс';
  return SERVICES.find((candidate) => candidate.id === service)?.title ?? service;
}

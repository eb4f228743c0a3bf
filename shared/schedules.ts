import type { FunctionGroupName } from '#shared/functions';

/**
 * Scheduled jobs, defined once: the CDK stack deploys each as an EventBridge Scheduler schedule
 * in Europe/Moscow; the local scheduler fires the same definitions. A job's Lambda receives
 * `{ "job": name }`.
 */
export interface CronFields {
  /** A minute of the hour, or every N minutes from :00. */
  minute: number | { every: number };
  hour: number | '*';
  dayOfMonth: number | '*';
}

export interface ScheduleDefinition {
  /** Job name, also the payload the group's handler dispatches on. */
  job: string;
  group: FunctionGroupName;
  description: string;
  cron: CronFields;
}

export const SCHEDULE_TIMEZONE = 'Europe/Moscow';

export interface ScheduleSettings {
  windowOpenDay: number;
  windowCloseDay: number;
}

/** Days are configuration (RAC_WINDOW_OPEN_DAY / RAC_WINDOW_CLOSE_DAY); defaults 25 and 1. */
export function scheduleDefinitions(settings: ScheduleSettings): ScheduleDefinition[] {
  return [
    {
      job: 'window.open',
      group: 'window',
      description: 'Открытие окна приёма показаний',
      cron: { minute: 0, hour: 0, dayOfMonth: settings.windowOpenDay },
    },
    {
      job: 'window.close',
      group: 'window',
      description: 'Закрытие окна приёма показаний',
      cron: { minute: 0, hour: 0, dayOfMonth: settings.windowCloseDay },
    },
    // Billing closes the month ten minutes after the reading window closes (the same day, which is
    // the 1st by default): the last evening's readings are in, and window.close has had time to run.
    {
      job: 'billing.run',
      group: 'billing',
      description: 'Начисления за закрытый месяц (расчётный период)',
      cron: { minute: 10, hour: 0, dayOfMonth: settings.windowCloseDay },
    },
    // The ЕПД goes out the night after billing (the 2nd at 03:00 by default), when the billing run's
    // batches are long done, and again two days later for whoever was missed: accounts billed late,
    // residents who subscribed since, mail SES refused. Per-account markers keep the second run from
    // mailing anyone twice. Both are before the 5th, the date residents are promised their bill by.
    {
      job: 'epd.issue',
      group: 'epdIssue',
      description: 'Рассылка ЕПД за закрытый месяц жителям, подписанным на квитанцию по почте',
      cron: { minute: 0, hour: 3, dayOfMonth: Math.min(settings.windowCloseDay + 1, 28) },
    },
    {
      job: 'epd.issueMissed',
      group: 'epdIssue',
      description: 'Досылка ЕПД тем, кому квитанция ещё не ушла (без повторных писем)',
      cron: { minute: 0, hour: 3, dayOfMonth: Math.min(settings.windowCloseDay + 3, 28) },
    },
    // Deadline checks: billing must be done by 06:00 of the day it runs (the 1st by default), the
    // ЕПД by the catch-up's day (the 4th): a missing completion counts a metric the stack alarms on.
    {
      job: 'billing.check',
      group: 'billing',
      description: 'Проверка: начисления за закрытый месяц завершены',
      cron: { minute: 0, hour: 6, dayOfMonth: settings.windowCloseDay },
    },
    {
      job: 'epd.check',
      group: 'epdIssue',
      description: 'Проверка: рассылка ЕПД за закрытый месяц завершена',
      cron: { minute: 0, hour: 12, dayOfMonth: Math.min(settings.windowCloseDay + 3, 28) },
    },
    // The reminder goes out on the opening day at 09:00, not at midnight with the opening itself:
    // residents read it in the morning, and window.open has had hours (and retries) to run.
    {
      job: 'readings.remind',
      group: 'readingMail',
      description: 'Напоминание о приёме показаний (жителям, не отключившим напоминания)',
      cron: { minute: 0, hour: 9, dayOfMonth: settings.windowOpenDay },
    },
    {
      job: 'readings.verificationWarnings',
      group: 'readingMail',
      description: 'Предупреждение за месяц до окончания поверки счётчика',
      cron: { minute: 0, hour: 10, dayOfMonth: '*' },
    },
    // A card payment whose callback never came (lost, or refused while DynamoDB failed) is asked
    // about; the gateway's payment page lives 20 minutes, so a 10-minute beat settles it soon after.
    {
      job: 'payments.reconcile',
      group: 'payments',
      description: 'Сверка неподтверждённых оплат картой с банком',
      cron: { minute: { every: 10 }, hour: '*', dayOfMonth: '*' },
    },
  ];
}

/** EventBridge Scheduler syntax: cron(minutes hours day-of-month month day-of-week year). */
export function eventBridgeCron(c: CronFields): string {
  const minute = typeof c.minute === 'number' ? c.minute : `0/${c.minute.every}`;
  return `cron(${minute} ${c.hour} ${c.dayOfMonth} * ? *)`;
}

/** Five-field cron for the local scheduler. */
export function unixCron(c: CronFields): string {
  const minute = typeof c.minute === 'number' ? c.minute : `*/${c.minute.every}`;
  return `${minute} ${c.hour} ${c.dayOfMonth} * *`;
}

import type { FunctionGroupName } from '#shared/functions';

/**
 * Scheduled jobs, defined once: the CDK stack deploys each as an EventBridge Scheduler schedule
 * in Europe/Moscow; the local scheduler fires the same definitions. A job's Lambda receives
 * `{ "job": name }`.
 */
export interface CronFields {
  minute: number;
  hour: number;
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
  ];
}

/** EventBridge Scheduler syntax: cron(minutes hours day-of-month month day-of-week year). */
export function eventBridgeCron(c: CronFields): string {
  return `cron(${c.minute} ${c.hour} ${c.dayOfMonth} * ? *)`;
}

/** Five-field cron for the local scheduler. */
export function unixCron(c: CronFields): string {
  return `${c.minute} ${c.hour} ${c.dayOfMonth} * *`;
}

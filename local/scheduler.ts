import { Cron } from 'croner';
import { invokeGroup } from '#local/lambda';
import { SCHEDULE_TIMEZONE, type ScheduleDefinition, unixCron } from '#shared/schedules';

export interface Scheduler {
  jobs: Array<{ job: string; nextRun: Date | null }>;
  stop: () => void;
}

/**
 * Fires the schedule definitions the CDK stack deploys, in Europe/Moscow, by invoking the same
 * group handler with the same `{ job }` payload EventBridge Scheduler sends.
 */
export function startScheduler(
  definitions: ScheduleDefinition[],
  log: (message: string) => void = console.log,
): Scheduler {
  const crons = definitions.map(
    (definition) =>
      new Cron(unixCron(definition.cron), { timezone: SCHEDULE_TIMEZONE, name: definition.job }, async () => {
        try {
          await invokeGroup(definition.group, { job: definition.job });
          log(`Расписание: задание ${definition.job} выполнено`);
        } catch (error) {
          log(`Расписание: задание ${definition.job} завершилось ошибкой: ${(error as Error).message}`);
        }
      }),
  );
  return {
    jobs: crons.map((c) => ({ job: c.name ?? '', nextRun: c.nextRun() })),
    stop: () => {
      for (const c of crons) c.stop();
    },
  };
}

import { Cron } from 'croner';
import { invokeGroup } from '#local/lambda';
import { JOB_FAILURES } from '#shared/queues';
import { SCHEDULE_TIMEZONE, type ScheduleDefinition, unixCron } from '#shared/schedules';

/** A job event that failed every attempt: what AWS leaves in the JobFailures queue. */
export interface FailedJob {
  job: string;
  group: ScheduleDefinition['group'];
  attempts: number;
  error: string;
  failedAt: string;
}

export interface Scheduler {
  jobs: Array<{ job: string; nextRun: Date | null }>;
  /** The local failure queue (AWS: the on-failure destination of the asynchronous invocation). */
  failures: FailedJob[];
  stop: () => void;
}

/**
 * Runs one scheduled job as Lambda runs an asynchronous invocation: the `{ job }` event, retried
 * `JOB_FAILURES.retryAttempts` times when it throws, then recorded in `failures` and logged, as
 * AWS sends it to the on-failure destination. Never throws.
 */
export async function runScheduledJob(
  definition: Pick<ScheduleDefinition, 'job' | 'group'>,
  failures: FailedJob[],
  log: (message: string) => void = console.log,
  retryDelayMs = 1000,
): Promise<boolean> {
  const attempts = 1 + JOB_FAILURES.retryAttempts;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await invokeGroup(definition.group, { job: definition.job });
      log(`Расписание: задание ${definition.job} выполнено`);
      return true;
    } catch (e) {
      error = (e as Error).message;
      log(`Расписание: задание ${definition.job} завершилось ошибкой (попытка ${attempt} из ${attempts}): ${error}`);
      if (attempt < attempts) await new Promise((r) => setTimeout(r, retryDelayMs));
    }
  }
  failures.push({ job: definition.job, group: definition.group, attempts, error, failedAt: new Date().toISOString() });
  log(`Расписание: задание ${definition.job} отложено в очередь сбоев (${JOB_FAILURES.id})`);
  return false;
}

/**
 * Fires the schedule definitions the CDK stack deploys, in Europe/Moscow, by invoking the same
 * group handler with the same `{ job }` payload EventBridge Scheduler sends.
 */
export function startScheduler(
  definitions: ScheduleDefinition[],
  log: (message: string) => void = console.log,
): Scheduler {
  const failures: FailedJob[] = [];
  const crons = definitions.map(
    (definition) =>
      new Cron(unixCron(definition.cron), { timezone: SCHEDULE_TIMEZONE, name: definition.job }, async () => {
        await runScheduledJob(definition, failures, log);
      }),
  );
  return {
    jobs: crons.map((c) => ({ job: c.name ?? '', nextRun: c.nextRun() })),
    failures,
    stop: () => {
      for (const c of crons) c.stop();
    },
  };
}

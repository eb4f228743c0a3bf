import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { type FailedJob, runScheduledJob } from '#local/scheduler';
import { getRun, runsOf } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { keys } from '#shared/keys';
import { metricCount, OPS_METRIC } from '#shared/metrics';
import { JOB_FAILURES } from '#shared/queues';

/**
 * Scheduled jobs as EventBridge Scheduler and Lambda's asynchronous invocation run them: a retried
 * coordinator joins the run its first attempt started, a run that finishes is marked complete once,
 * the deadline check counts a missing run, and a job that keeps throwing lands in the failure queue.
 */

// The morning of December 1st, Moscow time: November is the closed month.
process.env.RAC_NOW = '2026-12-01T00:10:00+03:00';
resetConfigForTests();
const PERIOD = '2026-11';

let queues: LocalQueues;

beforeAll(() => {
  queues = startLocalQueues({ log: () => undefined, retryDelayMs: 10 });
});

afterAll(() => {
  queues.stop();
});

describe('the billing coordinator, retried', () => {
  it('joins the run of its first attempt: one run record, one run id, completed once', async () => {
    const missingBefore = metricCount(OPS_METRIC.billingRunMissing);
    expect(await invokeGroup('billing', { job: 'billing.check' })).toEqual({ period: PERIOD, completed: false });
    expect(metricCount(OPS_METRIC.billingRunMissing) - missingBefore).toBe(1);

    const completedBefore = metricCount(OPS_METRIC.billingRunCompleted);
    const first = (await invokeGroup('billing', { job: 'billing.run' })) as { period: string; runId: string };
    await queues.drain();
    const retry = (await invokeGroup('billing', { job: 'billing.run' })) as { runId: string };
    await queues.drain();

    expect(first.period).toBe(PERIOD);
    expect(retry.runId).toBe(first.runId);
    const runs = await runsOf(PERIOD);
    expect(runs.map((r) => r.runId)).toEqual([first.runId]);
    // The retry sent no second set of shard messages: each shard was planned once.
    expect(runs[0]).toMatchObject({ shardsDone: runs[0]?.shards, completedAt: expect.any(String) });
    expect(metricCount(OPS_METRIC.billingRunCompleted) - completedBefore).toBe(1);
    expect(queues.deadLetters).toEqual([]);

    const missingNow = metricCount(OPS_METRIC.billingRunMissing);
    expect(await invokeGroup('billing', { job: 'billing.check' })).toEqual({ period: PERIOD, completed: true });
    expect(metricCount(OPS_METRIC.billingRunMissing)).toBe(missingNow);
  });

  it('finishes the start of a first attempt that died after claiming the period', async () => {
    // As an attempt that timed out between its claim and its messages leaves it.
    const period = '2026-10';
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.scheduledRun('billing.run', period), runId: 'crashed-run', dispatched: false },
      }),
    );
    process.env.RAC_NOW = '2026-11-01T00:10:00+03:00';
    resetConfigForTests();
    try {
      const retry = (await invokeGroup('billing', { job: 'billing.run' })) as { runId: string };
      await queues.drain();
      expect(retry.runId).toBe('crashed-run');
    } finally {
      process.env.RAC_NOW = '2026-12-01T00:10:00+03:00';
      resetConfigForTests();
    }
    expect((await runsOf(period)).map((r) => r.runId)).toEqual(['crashed-run']);
    expect(await getRun(period, 'crashed-run')).toMatchObject({ source: 'schedule', completedAt: expect.any(String) });
    const claim = await db().send(
      new GetCommand({ TableName: tableName(), Key: keys.scheduledRun('billing.run', period), ConsistentRead: true }),
    );
    expect(claim.Item).toMatchObject({ dispatched: true });
  });
});

describe('the ЕПД coordinator, retried', () => {
  it('joins its run; the catch-up job is a run of its own', async () => {
    const first = (await invokeGroup('epdIssue', { job: 'epd.issue' })) as { runId: string };
    await queues.drain();
    const retry = (await invokeGroup('epdIssue', { job: 'epd.issue' })) as { runId: string };
    await queues.drain();
    expect(retry.runId).toBe(first.runId);
    const catchUp = (await invokeGroup('epdIssue', { job: 'epd.issueMissed' })) as { runId: string };
    await queues.drain();
    expect(catchUp.runId).not.toBe(first.runId);
    expect(await invokeGroup('epdIssue', { job: 'epd.check' })).toEqual({ period: PERIOD, completed: true });
  });
});

describe('a job that keeps failing', () => {
  it('is retried, then lands in the failure queue', async () => {
    const failures: FailedJob[] = [];
    const log: string[] = [];
    const ok = await runScheduledJob({ job: 'window.nope', group: 'window' }, failures, (m) => log.push(m), 1);
    expect(ok).toBe(false);
    expect(failures).toEqual([
      {
        job: 'window.nope',
        group: 'window',
        attempts: 1 + JOB_FAILURES.retryAttempts,
        error: 'Unknown job window.nope',
        failedAt: expect.any(String),
      },
    ]);
    expect(log.at(-1)).toContain(JOB_FAILURES.id);
  });

  it('a job that succeeds leaves the failure queue empty', async () => {
    const failures: FailedJob[] = [];
    expect(await runScheduledJob({ job: 'window.open', group: 'window' }, failures, () => undefined, 1)).toBe(true);
    expect(failures).toEqual([]);
  });
});

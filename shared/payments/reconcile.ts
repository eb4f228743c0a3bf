import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';
import { mailGuestReceipt } from '#shared/payments/guestReceipt';
import { PENDING_TOO_LONG_MS } from '#shared/payments/model';
import { paymentRef, settleWithGateway } from '#shared/payments/settlement';
import { getPayment, openPaymentsBefore } from '#shared/payments/store';
import { now } from '#shared/time';

/**
 * The reconciliation job: card payments still open PENDING_TOO_LONG_MS after they were created
 * (a lost callback, a callback refused while the database failed, a register.do answer that never
 * came) are asked about at the gateway and settled by the same state machine as callbacks. The
 * open-payments index is read by a range of creation time, never the table.
 */

/** Per run and shard: a run that finds more leaves the rest to the next one, 10 minutes later. */
export const RECONCILE_BATCH = 200;
const CONCURRENCY = 8;

export interface ReconcileSummary {
  checked: number;
  changed: number;
  unchanged: number;
  failed: number;
}

export async function reconcilePendingPayments(): Promise<ReconcileSummary> {
  const cutoff = new Date(now().getTime() - PENDING_TOO_LONG_MS).toISOString();
  const due = await openPaymentsBefore(cutoff, RECONCILE_BATCH);
  const summary: ReconcileSummary = { checked: 0, changed: 0, unchanged: 0, failed: 0 };
  const queue = [...due];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      summary.checked++;
      try {
        // The index is eventually consistent: decide on the item itself.
        const payment = await getPayment(item.account, item.id, true);
        if (!payment) continue;
        const settled = await settleWithGateway(payment);
        if (settled.status === payment.status) summary.unchanged++;
        else summary.changed++;
        await mailGuestReceipt(settled).catch((error: unknown) => {
          logger.warn('Guest payment receipt not mailed', { ref: paymentRef(item.id), error: (error as Error).name });
        });
      } catch (error) {
        // One order the gateway cannot answer for must not stop the others; the next run retries.
        summary.failed++;
        logger.warn('Payment not reconciled', {
          ref: paymentRef(item.id),
          error: error instanceof DomainError ? error.code : (error as Error).message,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  logger.info('Payments reconciled', { ...summary });
  return summary;
}

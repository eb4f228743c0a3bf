import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';
import { mailGuestReceipt, type ReceiptRetries, retryDueReceipts } from '#shared/payments/guestReceipt';
import { PENDING_TOO_LONG_MS } from '#shared/payments/model';
import { paymentRef, settleWithGateway } from '#shared/payments/settlement';
import { getPayment, openPaymentsBefore } from '#shared/payments/store';
import { now } from '#shared/time';

/**
 * The reconciliation job: card payments still open PENDING_TOO_LONG_MS after they were created
 * (a lost callback, a callback refused while the database failed, a register.do answer that never
 * came) are asked about at the gateway and settled by the same state machine as callbacks. The
 * open-payments index is read by a range of creation time, never the table. The same pass mails
 * again the guest payments' receipts that SES refused before it (shared/payments/guestReceipt.ts).
 */

/** Per run and shard: a run that finds more leaves the rest to the next one, 10 minutes later. */
export const RECONCILE_BATCH = 200;
const CONCURRENCY = 8;

export interface ReconcileSummary {
  checked: number;
  changed: number;
  unchanged: number;
  failed: number;
  /** Guest receipts SES refused before this run, tried again. */
  receipts: ReceiptRetries;
}

export async function reconcilePendingPayments(): Promise<ReconcileSummary> {
  const started = now();
  // Before the open payments: a receipt they fail in this run waits for the next run, 10 minutes on.
  const receipts = await retryDueReceipts(started.toISOString(), RECONCILE_BATCH);
  const cutoff = new Date(started.getTime() - PENDING_TOO_LONG_MS).toISOString();
  const due = await openPaymentsBefore(cutoff, RECONCILE_BATCH);
  const summary: ReconcileSummary = { checked: 0, changed: 0, unchanged: 0, failed: 0, receipts };
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
        // A receipt SES refused is put in the receipts-due index: the next run mails it.
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

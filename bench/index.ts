/**
 * `npm run bench`: prints the figures the issues ask for. Each capability adds its section here;
 * tests never time anything.
 */
import './quiet.ts';
import { benchAccounts } from './accounts.ts';
import { benchBilling } from './billing.ts';
import { benchBundles } from './bundles.ts';
import { benchEpd } from './epd.ts';
import { benchPayments } from './payments.ts';
import { benchReadings } from './readings.ts';
import { benchServices } from './support.ts';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}\n`);
  console.log('Function bundles (esbuild as in the CDK stack; cold init = import() in a fresh process, median of 7)');
  const bundles = await benchBundles();
  console.table(
    bundles.map((b) => ({
      group: b.group,
      minified: kib(b.minifiedBytes),
      gzip: kib(b.gzipBytes),
      'cold init ms (median)': b.coldInitMsMedian.toFixed(1),
      'min..max ms': `${Math.min(...b.coldInitMsRuns).toFixed(1)}..${Math.max(...b.coldInitMsRuns).toFixed(1)}`,
    })),
  );

  const services = await benchServices();
  try {
    await benchAccounts();
    await benchReadings();
    await benchBilling();
    await benchPayments();
    await benchEpd();
  } finally {
    await services.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

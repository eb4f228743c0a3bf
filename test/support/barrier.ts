import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/clients/dynamo';

/**
 * A barrier for races: `parties` callers wait in `arrive()` until all of them are there, then go
 * on together. If they never all arrive (one took a read-first path that skips the write), the
 * barrier lets the waiting ones go after `timeoutMs` and `arrivals` tells the test so.
 */
export interface Barrier {
  arrive: () => Promise<void>;
  readonly arrivals: number;
}

export function barrier(parties: number, timeoutMs = 5_000): Barrier {
  let arrivals = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    get arrivals() {
      return arrivals;
    },
    arrive() {
      arrivals++;
      if (arrivals >= parties) {
        clearTimeout(timer);
        open();
      } else {
        timer ??= setTimeout(open, timeoutMs);
      }
      return opened;
    },
  };
}

export interface HeldWrites extends Barrier {
  /** Takes the middleware off the client. */
  remove: () => void;
}

/**
 * Holds the DynamoDB requests that `matches` (by the SDK's command name, e.g. `PutItemCommand`,
 * `TransactWriteItemsCommand`, and the request's JSON) until `parties` of them have been made,
 * then sends them together. Each caller has done all its reads by then, so both reach the
 * conditional write: the guard, not a read-first check, decides who wins. Only the first
 * `parties` matching requests wait; later ones (a retry, a release) go straight through.
 */
export function holdWrites(
  matches: (commandName: string, request: string) => boolean,
  parties = 2,
  client: DynamoDBDocumentClient = db(),
): HeldWrites {
  const gate = barrier(parties);
  const name = `test-barrier-${Math.random().toString(36).slice(2)}`;
  let held = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = String((context as { commandName?: string }).commandName ?? '');
      if (held < parties && matches(commandName, JSON.stringify(args.input))) {
        held++;
        await gate.arrive();
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    arrive: gate.arrive,
    get arrivals() {
      return gate.arrivals;
    },
    remove: () => {
      client.middlewareStack.remove(name);
    },
  };
}

// negotiator 1.x: @types/negotiator describes 0.6, without the `preferred` order used here.
declare module 'negotiator' {
  import type { IncomingMessage } from 'node:http';

  export default class Negotiator {
    constructor(request: Pick<IncomingMessage, 'headers'>);
    /** Encodings the request accepts, best first; among equal q-values in the `preferred` order. */
    encodings(available: readonly string[], options?: { preferred?: readonly string[] }): string[];
  }
}

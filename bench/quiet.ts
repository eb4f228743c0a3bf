/**
 * Imported first by bench/index.ts, before any module that creates the logger: Powertools takes
 * the log level of that moment as the level every invocation returns to, so a later
 * `setLogLevel` or variable would only hold until the first handler call. The figures are the
 * output; the handlers' logs are not.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

/**
 * Function groups: one Lambda per group, one bundle per group. A group's entry module exports
 * `handler`, which serves the group's HTTP routes (by routeKey) and its scheduled jobs (by `job`).
 * The CDK stack creates a NodejsFunction per group with exactly these grants; the local gateway
 * and scheduler import the same entry modules.
 */
export type TableAccess = 'none' | 'read' | 'readwrite';

export interface FunctionGroup {
  /** Entry module, relative to the project root. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  tableAccess: TableAccess;
  sendsMail: boolean;
  /** Reads the keys secret (passport HMAC, session signing). */
  readsSecrets: boolean;
}

export const FUNCTION_GROUPS = {
  system: {
    entry: 'functions/system/index.ts',
    description: 'Health check and the OpenAPI document',
    memoryMb: 256,
    timeoutSeconds: 5,
    tableAccess: 'none',
    sendsMail: false,
    readsSecrets: false,
  },
  auth: {
    entry: 'functions/auth/index.ts',
    description: 'Captcha, registration, login, logout, password recovery and change',
    // argon2id at 19 MiB per hash: headroom for a few concurrent hashes and a faster CPU share.
    memoryMb: 1024,
    timeoutSeconds: 10,
    tableAccess: 'readwrite',
    sendsMail: true,
    readsSecrets: true,
  },
  residents: {
    entry: 'functions/residents/index.ts',
    description: 'The resident account, profile and support requests',
    memoryMb: 512,
    timeoutSeconds: 10,
    tableAccess: 'readwrite',
    sendsMail: true,
    readsSecrets: true,
  },
  window: {
    entry: 'functions/window/index.ts',
    description: 'Opens and closes the monthly meter-reading window',
    memoryMb: 256,
    timeoutSeconds: 30,
    tableAccess: 'readwrite',
    sendsMail: false,
    readsSecrets: false,
  },
} as const satisfies Record<string, FunctionGroup>;

export type FunctionGroupName = keyof typeof FUNCTION_GROUPS;
export const FUNCTION_GROUP_NAMES = Object.keys(FUNCTION_GROUPS) as FunctionGroupName[];

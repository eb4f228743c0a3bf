import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { addressLimitOf, type RouteDefinition } from '#shared/api/route';
import { keys } from '#shared/keys';
import { reserveAttempt } from '#shared/limits/attempts';
import { ADDRESS_LIMITS } from '#shared/limits/policy';

/**
 * The viewer's address. In AWS every request reaches the API through CloudFront, whose
 * `CloudFront-Viewer-Address` header (`ip:port`, IPv6 too) names the viewer; the socket's address
 * there is CloudFront's edge, shared by everyone behind it. The local gateway stands in for
 * CloudFront and sets the same header from its socket, replacing any the client sent. Without
 * the header (a direct call of the handler) the request context's source address is used.
 */
export function sourceAddress(event: APIGatewayProxyEventV2): string {
  const viewer = event.headers?.['cloudfront-viewer-address']?.trim();
  if (viewer) {
    const colon = viewer.lastIndexOf(':');
    const ip = colon > 0 ? viewer.slice(0, colon) : viewer;
    if (ip) return ip.replace(/^\[|\]$/g, '').toLowerCase();
  }
  return event.requestContext?.http?.sourceIp ?? 'unknown';
}

/**
 * What one client is: an IPv4 address, or the /64 network of an IPv6 one (a single home or phone
 * gets a whole /64 and can pick any address in it).
 */
export function clientOf(address: string): string {
  // Every IPv6 address has a colon: IPv4 ones skip isIPv6, whose first call compiles Node's IPv6
  // pattern (~2 ms of a cold request's CPU).
  if (!address.includes(':') || !isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export { addressLimitOf } from '#shared/api/route';

/**
 * Counts the request against its address before anything else runs; 429 `too_many_attempts` with
 * `Retry-After` past the limit. The address is kept only as a hash, in an item that expires with
 * its window.
 */
export async function limitSourceAddress(route: RouteDefinition, event: APIGatewayProxyEventV2): Promise<void> {
  const name = addressLimitOf(route);
  if (!name) return;
  const address = createHash('sha256')
    .update(clientOf(sourceAddress(event)))
    .digest('base64url')
    .slice(0, 22);
  await reserveAttempt(keys.addressLimit(name, address), ADDRESS_LIMITS[name]);
}

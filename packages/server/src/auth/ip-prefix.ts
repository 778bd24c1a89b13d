import { isIPv4, isIPv6 } from 'node:net';

/**
 * Keys for per-address and per-network limits. An IPv6 client usually controls a whole /64 (and
 * often a /48 or /56), so counting single IPv6 addresses would let it pick a fresh one per
 * request; an IPv4 /24 stands for one network.
 */

/** The client's key: its IPv4 address, or its IPv6 /64. */
export function ipKey(ip: string): string {
  const v4 = mappedIPv4(ip);
  if (v4 !== undefined) return v4;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The client's network: its IPv4 /24, or its IPv6 /48. */
export function networkKey(ip: string): string {
  const v4 = mappedIPv4(ip);
  if (v4 !== undefined) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 3).join(':')}::/48` : ip;
}

/** An IPv4 address, also when written as IPv4-mapped IPv6 (`::ffff:1.2.3.4`). */
function mappedIPv4(ip: string): string | undefined {
  if (isIPv4(ip)) return ip;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] !== undefined && isIPv4(m[1]) ? m[1] : undefined;
}

/** The eight 16-bit groups of an IPv6 address, lower-case without leading zeros, or undefined. */
export function expandIPv6(ip: string): string[] | undefined {
  const bare = ip.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) is not part of the address
  if (!isIPv6(bare)) return undefined;
  let text = bare;
  // A trailing dotted IPv4 part counts as two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - left.length - right.length;
  const groups =
    rest === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

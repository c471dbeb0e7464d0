import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a fetch on a client's behalf may reach: only public unicast ones (OWASP SSRF Prevention Cheat
 * Sheet; the IANA special-purpose registries, RFC 6890). Everything private (RFC 1918), loopback, link-local (the
 * cloud metadata service 169.254.169.254), shared CGNAT (RFC 6598), unique-local (RFC 4193), multicast, reserved,
 * documentation or a translation prefix that could lead back inside (NAT64, 6to4, Teredo) is refused.
 */
const blocked = new BlockList();
const V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const V6: readonly [string, number][] = [
  // ::/96 holds :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible forms. IPv4-mapped addresses
  // (::ffff:0:0/96) are unmapped first and judged as IPv4: BlockList would match every IPv4 address against that rule.
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
for (const [net, prefix] of V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6) blocked.addSubnet(net, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, in either spelling) as the IPv4 address it stands for. */
export function unmapped(address: string): string {
  const lower = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(lower) !== 6) return lower;
  // The URL parser writes every IPv6 address canonically: ::ffff:127.0.0.1 becomes ::ffff:7f00:1.
  const canonical = new URL(`http://[${lower}]/`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return canonical;
  const hi = parseInt(m[1] ?? '0', 16);
  const lo = parseInt(m[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

const family = (a: string): 'ipv4' | 'ipv6' | undefined => (isIP(a) === 4 ? 'ipv4' : isIP(a) === 6 ? 'ipv6' : undefined);

/** True for a public unicast address; false for anything else, including what is not an IP address at all. */
export function isPublicAddress(address: string): boolean {
  const a = unmapped(address);
  const f = family(a);
  return f !== undefined && !blocked.check(a, f);
}

export function isLoopbackAddress(address: string): boolean {
  const a = unmapped(address);
  const f = family(a);
  return f !== undefined && loopback.check(a, f);
}

import { isIP } from 'node:net';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

interface Range {
  network: bigint;
  prefix: number;
  reason: string;
}

/** Every address is held as 128 bits; IPv4 lives at ::ffff:a.b.c.d, so mapped IPv6 needs no special case. */
const v4 = (cidr: string, reason: string): Range => {
  const [address = '', prefix = '32'] = cidr.split('/');
  return { network: toBits(address)!, prefix: 96 + Number(prefix), reason };
};
const v6 = (cidr: string, reason: string): Range => {
  const [address = '', prefix = '128'] = cidr.split('/');
  return { network: toBits(address)!, prefix: Number(prefix), reason };
};

// Order matters: the first match names the reason, so metadata comes before its wider range.
const refusedRanges: Range[] = [
  v4('169.254.169.254/32', 'a cloud metadata address'),
  v4('169.254.170.2/32', 'a cloud metadata address'),
  v4('100.100.100.200/32', 'a cloud metadata address'),
  v4('0.0.0.0/8', 'an unspecified address'),
  v4('10.0.0.0/8', 'a private address'),
  v4('100.64.0.0/10', 'a carrier-grade NAT address'),
  v4('127.0.0.0/8', 'a loopback address'),
  v4('169.254.0.0/16', 'a link-local address'),
  v4('172.16.0.0/12', 'a private address'),
  v4('192.0.0.0/24', 'an IETF protocol address'),
  v4('192.0.2.0/24', 'a documentation address'),
  v4('192.168.0.0/16', 'a private address'),
  v4('198.18.0.0/15', 'a benchmarking address'),
  v4('198.51.100.0/24', 'a documentation address'),
  v4('203.0.113.0/24', 'a documentation address'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved or broadcast address'),
  v6('fd00:ec2::254/128', 'a cloud metadata address'),
  v6('::/128', 'an unspecified address'),
  v6('::1/128', 'a loopback address'),
  v6('::/96', 'an IPv4-compatible address'),
  // ::ffff:0:a.b.c.d (RFC 2765), not the IPv4-mapped ::ffff:a.b.c.d that every IPv4 address is held as.
  v6('::ffff:0:0:0/96', 'an IPv4-translated address'),
  v6('64:ff9b:1::/48', 'a local NAT64 address'),
  v6('100::/64', 'a discard address'),
  v6('2001::/32', 'a Teredo tunnel address'),
  v6('2001:db8::/32', 'a documentation address'),
  v6('fc00::/7', 'a unique-local address'),
  v6('fe80::/10', 'a link-local address'),
  v6('fec0::/10', 'a site-local address'),
  v6('ff00::/8', 'a multicast address'),
];

/** Prefixes that carry an IPv4 address in their low 32 bits (NAT64, 6to4): judged by that address. */
const nat64 = v6('64:ff9b::/96', '');
const sixToFour = v6('2002::/16', '');

/**
 * Decides whether the gateway may open a connection to an address: only
 * public unicast addresses pass, unless an operator listed the network in
 * `allowPrivateNetworks`.
 *
 * @example
 * const check = createAddressPolicy(['127.0.0.1/32']);
 * check('127.0.0.1'); // { allowed: true }
 * check('169.254.169.254'); // { allowed: false, reason: 'a cloud metadata address' }
 */
export function createAddressPolicy(allowPrivateNetworks: readonly string[]): (address: string) => AddressVerdict {
  const allowed = allowPrivateNetworks.map((cidr) => (isIP(cidr.split('/')[0] ?? '') === 4 ? v4(cidr, '') : v6(cidr, '')));
  return (address) => {
    const bits = toBits(address);
    if (bits === undefined) return { allowed: false, reason: 'not an IP address' };
    if (allowed.some((range) => contains(range, bits))) return { allowed: true };
    return judge(bits);
  };
}

function judge(bits: bigint): AddressVerdict {
  const refused = refusedRanges.find((range) => contains(range, bits));
  if (refused) return { allowed: false, reason: refused.reason };
  if (contains(nat64, bits)) return judgeEmbedded(bits & 0xffffffffn, 'a NAT64 address');
  if (contains(sixToFour, bits)) return judgeEmbedded((bits >> 80n) & 0xffffffffn, 'a 6to4 address');
  return { allowed: true };
}

function judgeEmbedded(ipv4: bigint, wrapper: string): AddressVerdict {
  const verdict = judge(0xffff00000000n | ipv4);
  return verdict.allowed ? verdict : { allowed: false, reason: `${wrapper} wrapping ${verdict.reason}` };
}

function contains(range: Range, bits: bigint): boolean {
  const shift = BigInt(128 - range.prefix);
  return bits >> shift === range.network >> shift;
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids tolerated) into 128 bits. */
export function toBits(address: string): bigint | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return 0xffff00000000n | ipv4Bits(bare);
  if (family !== 6) return undefined;
  let text = bare.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const value = ipv4Bits(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}

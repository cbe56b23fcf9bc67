import { describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../../src/images/remote/image-address-policy.js';

describe('createAddressPolicy', () => {
  const check = createAddressPolicy([]);

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.8.9.10', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['10.1.2.3', 'a private address'],
    ['172.20.0.1', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['169.254.1.1', 'a link-local address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a reserved or broadcast address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['[::1]', 'a loopback address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:a9fe:a9fe', 'a cloud metadata address'],
    ['::ffff:0:7f00:1', 'an IPv4-translated address'],
    ['::ffff:0:8.8.8.8', 'an IPv4-translated address'],
    ['0:0:0:0:ffff:0:a00:1', 'an IPv4-translated address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['fc00::1', 'a unique-local address'],
    ['fd12:3456::1', 'a unique-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['ff02::1', 'a multicast address'],
    ['64:ff9b::10.0.0.1', 'a NAT64 address wrapping a private address'],
    ['2002:7f00:1::', 'a 6to4 address wrapping a loopback address'],
  ])('refuses %s as %s', (address, reason) => {
    expect(check(address)).toEqual({ allowed: false, reason });
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(check(address)).toEqual({ allowed: true });
    },
  );

  it('allows exactly the networks an operator listed', () => {
    const relaxed = createAddressPolicy(['127.0.0.1/32', '10.20.0.0/16', '::1']);
    expect(relaxed('127.0.0.1')).toEqual({ allowed: true });
    expect(relaxed('::ffff:127.0.0.1')).toEqual({ allowed: true });
    expect(relaxed('::1')).toEqual({ allowed: true });
    expect(relaxed('10.20.5.5')).toEqual({ allowed: true });
    expect(relaxed('127.0.0.2')).toMatchObject({ allowed: false });
    expect(relaxed('10.21.0.1')).toMatchObject({ allowed: false });
    expect(relaxed('169.254.169.254')).toMatchObject({ allowed: false });
  });

  it('refuses what is not an IP address', () => {
    expect(check('example.com')).toEqual({ allowed: false, reason: 'not an IP address' });
  });
});

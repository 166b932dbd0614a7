import { Testing, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import {
  BUILDER_SECURITY_GROUP_NAME,
  BuilderSecurityGroup,
  BuilderSecurityGroupProps,
} from '../../lib/constructs/builder-security-group';
import { cidrListProblems, parseCidr } from '../../lib/catalog/cidr';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(props: Partial<BuilderSecurityGroupProps>, withAlias = false): { json: string; resource: Resources } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
  const alias = withAlias ? new OpenstackProvider(stack, 'builder', { alias: 'builder', cloud: 'bgo-builder' }) : undefined;
  new BuilderSecurityGroup(stack, 'builder-sg', {
    environment: 'bgo',
    sshSourceCidrs: ['158.37.63.0/24', '2001:700:2:8200::/64'],
    provider: alias,
    ...props,
  });
  const json = Testing.synth(stack);
  return { json, resource: (JSON.parse(json) as { resource: Resources }).resource };
}

describe('BuilderSecurityGroup', () => {
  test('one group and one ingress rule per CIDR, exact properties', () => {
    const { json, resource } = synth({});
    expect(json).toHaveResourceWithProperties(NetworkingSecgroupV2, {
      name: 'goldsmith-builder-ssh',
      description: 'SSH from the goldsmith builder to build VMs (environment bgo); managed by goldsmith, do not edit',
    });
    expect(resource.openstack_networking_secgroup_v2).toEqual({
      goldsmith_builder_ssh: {
        name: 'goldsmith-builder-ssh',
        description: 'SSH from the goldsmith builder to build VMs (environment bgo); managed by goldsmith, do not edit',
      },
    });
    expect(resource.openstack_networking_secgroup_rule_v2).toEqual({
      goldsmith_builder_ssh_ipv4_158_37_63_0_24: {
        description: 'goldsmith builder SSH from 158.37.63.0/24',
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '158.37.63.0/24',
        security_group_id: '${openstack_networking_secgroup_v2.goldsmith_builder_ssh.id}',
      },
      goldsmith_builder_ssh_ipv6_2001_700_2_8200___64: {
        description: 'goldsmith builder SSH from 2001:700:2:8200::/64',
        direction: 'ingress',
        ethertype: 'IPv6',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '2001:700:2:8200::/64',
        security_group_id: '${openstack_networking_secgroup_v2.goldsmith_builder_ssh.id}',
      },
    });
    expect(json).toHaveResourceWithProperties(NetworkingSecgroupRuleV2, {
      ethertype: 'IPv6',
      remote_ip_prefix: '2001:700:2:8200::/64',
    });
  });

  test('provider and region are passed to every resource', () => {
    const { resource } = synth({ sshSourceCidrs: ['10.1.0.0/16'], region: 'osl' }, true);
    expect(resource.openstack_networking_secgroup_v2.goldsmith_builder_ssh).toMatchObject({
      provider: 'openstack.builder',
      region: 'osl',
    });
    expect(resource.openstack_networking_secgroup_rule_v2.goldsmith_builder_ssh_ipv4_10_1_0_0_16).toMatchObject({
      provider: 'openstack.builder',
      region: 'osl',
      remote_ip_prefix: '10.1.0.0/16',
    });
  });

  test('a single host is a /32 or /128', () => {
    const { resource } = synth({ sshSourceCidrs: ['192.0.2.10/32', '2001:db8::10/128'] });
    expect(Object.keys(resource.openstack_networking_secgroup_rule_v2).sort()).toEqual([
      'goldsmith_builder_ssh_ipv4_192_0_2_10_32',
      'goldsmith_builder_ssh_ipv6_2001_db8__10_128',
    ]);
  });

  test('exposes the Neutron name', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const sg = new BuilderSecurityGroup(stack, 'sg', { environment: 'e', sshSourceCidrs: ['0.0.0.0/0'] });
    expect(sg.name).toBe(BUILDER_SECURITY_GROUP_NAME);
    expect(sg.rules).toHaveLength(1);
  });

  test.each([
    [[], 'environment bgo: builder.sshSourceCidrs is empty: the builder could not reach the build VM'],
    [['10.0.0.1/24'], 'environment bgo: builder.sshSourceCidrs[0]: has host bits set: use the network address `10.0.0.0/24`, got `10.0.0.1/24`'],
    [['10.0.0.0'], 'environment bgo: builder.sshSourceCidrs[0]: must be a cidr (address/prefix), got `10.0.0.0`'],
    [['10.0.0.0/33'], 'environment bgo: builder.sshSourceCidrs[0]: prefix length must be 0-32, got `10.0.0.0/33`'],
    [['256.0.0.0/8'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `256.0.0.0/8`'],
    [['010.0.0.0/8'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `010.0.0.0/8`'],
    [['10.0.0.0/08'], 'environment bgo: builder.sshSourceCidrs[0]: prefix length must be written without leading zeros, got `10.0.0.0/08`'],
    [['2001:db8::/129'], 'environment bgo: builder.sshSourceCidrs[0]: prefix length must be 0-128, got `2001:db8::/129`'],
    [['2001:DB8::/32'], 'environment bgo: builder.sshSourceCidrs[0]: not in canonical form: write `2001:db8::/32`, got `2001:DB8::/32`'],
    [['2001:db8:0:0::/64'], 'environment bgo: builder.sshSourceCidrs[0]: not in canonical form: write `2001:db8::/64`, got `2001:db8:0:0::/64`'],
    [['2001:db8::1/64'], 'environment bgo: builder.sshSourceCidrs[0]: has host bits set: use the network address `2001:db8::/64`, got `2001:db8::1/64`'],
    [['2001:db8:::/64'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `2001:db8:::/64`'],
    [['10.0.0.0/8', '10.0.0.0/8'], 'environment bgo: builder.sshSourceCidrs[1]: cidr `10.0.0.0/8` is listed twice (also [0])'],
    [['example.org/32'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `example.org/32`'],
    [['10.1/16'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `10.1/16`'],
    [['fe80::%eth0/64'], 'environment bgo: builder.sshSourceCidrs[0]: not a valid ip address in cidr `fe80::%eth0/64`'],
    [['::ffff:10.0.0.0/120'], 'environment bgo: builder.sshSourceCidrs[0]: not in canonical form: write `::ffff:a00:0/120`, got `::ffff:10.0.0.0/120`'],
  ])('rejects %j', (cidrs, message) => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new BuilderSecurityGroup(stack, 'sg', { environment: 'bgo', sshSourceCidrs: cidrs })).toThrow(
      new Error(message),
    );
  });
});

describe('parseCidr / cidrListProblems (lib/catalog/cidr.ts, ipaddr.js)', () => {
  test.each([
    ['0.0.0.0/0', 'IPv4'],
    ['::/0', 'IPv6'],
    ['fe80::/10', 'IPv6'],
    ['2001:db8:0:1::/64', 'IPv6'],
    ['2001:0:0:1::/64', 'IPv6'],
  ])('%s is %s', (cidr, ethertype) => {
    expect(parseCidr(cidr)).toEqual({ ok: true, cidr: { cidr, ethertype } });
  });

  test('RFC 5952: a single zero group is not compressed; the first of two equal runs is', () => {
    expect(parseCidr('2001:db8::1:1:1:1:1/128')).toEqual({
      ok: false,
      message: 'not in canonical form: write `2001:db8:0:1:1:1:1:1/128`, got `2001:db8::1:1:1:1:1/128`',
    });
    expect(parseCidr('2001:0:0:1:0:0:1:1/128')).toEqual({
      ok: false,
      message: 'not in canonical form: write `2001::1:0:0:1:1/128`, got `2001:0:0:1:0:0:1:1/128`',
    });
  });

  test('every problem of a list, by index', () => {
    expect(cidrListProblems(['10.0.0.0/8', 'x', '10.0.0.0/8', '10.0.0.0/8'])).toEqual([
      { index: 1, message: 'must be a cidr (address/prefix), got `x`' },
      { index: 2, message: 'cidr `10.0.0.0/8` is listed twice (also [0])' },
      { index: 3, message: 'cidr `10.0.0.0/8` is listed twice (also [0])' },
    ]);
  });
});

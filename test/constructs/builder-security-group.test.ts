import { Testing, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import {
  BUILDER_SECURITY_GROUP_NAME,
  BuilderSecurityGroup,
  BuilderSecurityGroupProps,
  formatIpv6,
  parseCidr,
} from '../../lib/constructs/builder-security-group';

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
    [[], /sshSourceCidrs is empty/],
    [['10.0.0.1/24'], /host bits set/],
    [['10.0.0.0'], /not a CIDR/],
    [['10.0.0.0/33'], /invalid prefix length \(0-32\)/],
    [['256.0.0.0/8'], /no valid IPv4 or IPv6 address/],
    [['010.0.0.0/8'], /no valid IPv4 or IPv6 address/],
    [['10.0.0.0/08'], /invalid prefix length/],
    [['2001:db8::/129'], /invalid prefix length \(0-128\)/],
    [['2001:DB8::/32'], /canonical form: write 2001:db8::\/32/],
    [['2001:db8:0:0::/64'], /canonical form: write 2001:db8::\/64/],
    [['2001:db8::1/64'], /host bits set/],
    [['2001:db8:::/64'], /no valid/],
    [['10.0.0.0/8', '10.0.0.0/8'], /listed twice/],
    [['example.org/32'], /no valid/],
  ])('rejects %j', (cidrs, message) => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new BuilderSecurityGroup(stack, 'sg', { environment: 'bgo', sshSourceCidrs: cidrs })).toThrow(message);
  });

  test('errors name the environment and the setting', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new BuilderSecurityGroup(stack, 'sg', { environment: 'osl', sshSourceCidrs: ['x/1'] })).toThrow(
      /^environment osl: builder\.sshSourceCidrs: 'x\/1'/,
    );
  });
});

describe('parseCidr / formatIpv6', () => {
  test.each([
    ['0.0.0.0/0', 'IPv4'],
    ['::/0', 'IPv6'],
    ['fe80::/10', 'IPv6'],
    ['2001:db8:0:1::/64', 'IPv6'],
  ])('%s is %s', (cidr, ethertype) => {
    expect(parseCidr(cidr).ethertype).toBe(ethertype);
  });

  test('RFC 5952 formatting', () => {
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(1n)).toBe('::1');
    expect(formatIpv6(0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    // a single zero group is not compressed; the first of two equal runs is
    expect(formatIpv6(0x20010db8000000010001000100010001n)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(0x20010000000000010000000000010001n)).toBe('2001::1:0:0:1:1');
    expect(formatIpv6(0x20010000000000010000000000000001n)).toBe('2001:0:0:1::1');
  });
});

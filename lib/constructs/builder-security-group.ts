// The security group the build VM boots with: SSH (tcp/22) in from the builder node only.
// packer's openstack builder attaches it by name (template variable `security_group`).
import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import { claimTerraformAddress, terraformId } from './image-release';

/** Name of the security group in Neutron (the runner passes it to packer as `security_group`). */
export const BUILDER_SECURITY_GROUP_NAME = 'goldsmith-builder-ssh';

/** Terraform id of the security group resource. */
export const BUILDER_SECURITY_GROUP_ID = 'goldsmith_builder_ssh';

export interface BuilderSecurityGroupProps {
  /** Environment name (used in the descriptions). */
  readonly environment: string;
  /**
   * CIDRs the builder node connects from (environment `builder.sshSourceCidrs`): one ingress rule
   * each. IPv4 or IPv6, in canonical network form (no host bits), no duplicates, at least one.
   */
  readonly sshSourceCidrs: readonly string[];
  /**
   * Provider of the project the build VMs run in.
   * @default the stack's default `openstack` provider
   */
  readonly provider?: TerraformProvider;
  /**
   * OpenStack region of the group and its rules.
   * @default the provider's region
   */
  readonly region?: string;
}

/** A parsed CIDR. */
export interface Cidr {
  /** As given (already canonical). */
  readonly cidr: string;
  readonly ethertype: 'IPv4' | 'IPv6';
}

function parseIpv4(addr: string): bigint | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseIpv6(addr: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return undefined;
  let head = addr;
  let tailV4: bigint | undefined;
  const lastColon = addr.lastIndexOf(':');
  if (addr.includes('.')) {
    tailV4 = parseIpv4(addr.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = addr.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = split(halves[0]);
  const right = halves.length === 2 ? split(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses and checks a CIDR; throws with a one-line reason. */
export function parseCidr(cidr: string): Cidr {
  const m = /^([^/\s]+)\/([0-9]{1,3})$/.exec(cidr);
  if (!m) throw new Error(`'${cidr}' is not a CIDR (address/prefix)`);
  const [, addr, prefixText] = m;
  const prefix = Number(prefixText);
  const v4 = parseIpv4(addr);
  const v6 = v4 === undefined && addr.includes(':') ? parseIpv6(addr) : undefined;
  if (v4 === undefined && v6 === undefined) throw new Error(`'${cidr}' has no valid IPv4 or IPv6 address`);
  const bits = v4 !== undefined ? 32 : 128;
  if (prefix > bits || prefixText !== String(prefix)) {
    throw new Error(`'${cidr}' has an invalid prefix length (0-${bits})`);
  }
  const value = (v4 ?? v6)!;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    throw new Error(`'${cidr}' has host bits set: use the network address`);
  }
  if (v6 !== undefined && formatIpv6(v6) !== addr) {
    throw new Error(`'${cidr}' is not in canonical form: write ${formatIpv6(v6)}/${prefix}`);
  }
  return { cidr, ethertype: v4 !== undefined ? 'IPv4' : 'IPv6' };
}

/** RFC 5952 text of an IPv6 address: lower case, no leading zeros, longest zero run (>= 2) as '::'. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * `openstack_networking_secgroup_v2.goldsmith_builder_ssh` (name `goldsmith-builder-ssh`) and one
 * `openstack_networking_secgroup_rule_v2` per SSH source CIDR: ingress, tcp 22, ethertype from the
 * CIDR. Neutron's default egress rules stay (the build VM downloads packages).
 */
export class BuilderSecurityGroup extends Construct {
  /** The security group. */
  public readonly securityGroup: NetworkingSecgroupV2;
  /** Ingress rules, in CIDR order. */
  public readonly rules: readonly NetworkingSecgroupRuleV2[];
  /** Neutron name of the group. */
  public readonly name: string = BUILDER_SECURITY_GROUP_NAME;

  constructor(scope: Construct, id: string, props: BuilderSecurityGroupProps) {
    super(scope, id);
    const env = props.environment;
    if (props.sshSourceCidrs.length === 0) {
      throw new Error(`environment ${env}: builder.sshSourceCidrs is empty: the builder could not reach the build VM`);
    }
    const seen = new Set<string>();
    const cidrs = props.sshSourceCidrs.map((c) => {
      let parsed: Cidr;
      try {
        parsed = parseCidr(c);
      } catch (e) {
        throw new Error(`environment ${env}: builder.sshSourceCidrs: ${(e as Error).message}`);
      }
      const key = c.toLowerCase();
      if (seen.has(key)) throw new Error(`environment ${env}: builder.sshSourceCidrs: '${c}' is listed twice`);
      seen.add(key);
      return parsed;
    });

    const owner = `builder security group of environment ${env}`;
    claimTerraformAddress(this, `${NetworkingSecgroupV2.tfResourceType}.${BUILDER_SECURITY_GROUP_ID}`, owner);
    this.securityGroup = new NetworkingSecgroupV2(this, 'group', {
      provider: props.provider,
      region: props.region,
      name: BUILDER_SECURITY_GROUP_NAME,
      description: `SSH from the goldsmith builder to build VMs (environment ${env}); managed by goldsmith, do not edit`,
    });
    this.securityGroup.overrideLogicalId(BUILDER_SECURITY_GROUP_ID);

    this.rules = Object.freeze(
      cidrs.map((c) => {
        const ruleId = terraformId(BUILDER_SECURITY_GROUP_ID, c.ethertype.toLowerCase(), c.cidr.toLowerCase());
        claimTerraformAddress(this, `${NetworkingSecgroupRuleV2.tfResourceType}.${ruleId}`, `${owner} rule ${c.cidr}`);
        const rule = new NetworkingSecgroupRuleV2(this, ruleId, {
          provider: props.provider,
          region: props.region,
          securityGroupId: this.securityGroup.id,
          description: `goldsmith builder SSH from ${c.cidr}`,
          direction: 'ingress',
          ethertype: c.ethertype,
          protocol: 'tcp',
          portRangeMin: 22,
          portRangeMax: 22,
          remoteIpPrefix: c.cidr,
        });
        rule.overrideLogicalId(ruleId);
        return rule;
      }),
    );
  }
}

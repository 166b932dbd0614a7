// The security group the build VM boots with: SSH (tcp/22) in from the builder node only.
// packer's openstack builder attaches it by name (template variable `security_group`).
import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import { claimTerraformAddress, terraformId } from './image-release';
import { cidrListProblems, parseCidr, type Cidr } from '../catalog/cidr';

import { BUILDER_SECURITY_GROUP as BUILDER_SECURITY_GROUP_NAME } from '../contract';

/** Name of the security group in Neutron (the runner passes it to packer as `security_group`). */
export { BUILDER_SECURITY_GROUP_NAME };

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
    // The catalog's CIDR rule (lib/catalog/cidr.ts): network address, canonical, each once.
    const problem = cidrListProblems(props.sshSourceCidrs)[0];
    if (problem !== undefined) throw new Error(`environment ${env}: builder.sshSourceCidrs[${problem.index}]: ${problem.message}`);
    const cidrs = props.sshSourceCidrs.map((c): Cidr => {
      const parsed = parseCidr(c);
      if (!parsed.ok) throw new Error(parsed.message); // reported above
      return parsed.cidr;
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

// CIDRs of the catalog (`builder.ssh_source_cidrs`): the one rule the schema, checkConstructs and the
// BuilderSecurityGroup construct apply. A CIDR is `address/prefix`, IPv4 in four-part decimal or
// IPv6, written as Neutron stores it: the network address (no host bits) in canonical form (RFC 5952
// for IPv6), a prefix without leading zeros; a list names each network once.
import * as ipaddr from 'ipaddr.js';

export type Ethertype = 'IPv4' | 'IPv6';

/** A CIDR that passed: as written (canonical) and its address family. */
export interface Cidr {
  readonly cidr: string;
  readonly ethertype: Ethertype;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly message: string };

/** Checks one CIDR; the message is lower-case, one line, and quotes the value. */
export function parseCidr(value: string): CidrResult {
  const fail = (message: string): CidrResult => ({ ok: false, message });
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(value);
  if (!m) return fail(`must be a cidr (address/prefix), got \`${value}\``);
  const [, address, prefixText] = m;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const v6 = !v4 && address.includes(':') && !address.includes('%') && ipaddr.IPv6.isValid(address);
  if (!v4 && !v6) return fail(`not a valid ip address in cidr \`${value}\``);
  const bits = v4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return fail(`prefix length must be 0-${bits}, got \`${value}\``);
  if (String(prefix) !== prefixText) return fail(`prefix length must be written without leading zeros, got \`${value}\``);
  const parsed = ipaddr.parse(address);
  const network = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(`${address}/${prefix}`);
  const canonical = (ip: ipaddr.IPv4 | ipaddr.IPv6) => (ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString());
  if (network.toNormalizedString() !== parsed.toNormalizedString()) {
    return fail(`has host bits set: use the network address \`${canonical(network)}/${prefix}\`, got \`${value}\``);
  }
  if (canonical(parsed) !== address) {
    return fail(`not in canonical form: write \`${canonical(parsed)}/${prefix}\`, got \`${value}\``);
  }
  return { ok: true, cidr: { cidr: value, ethertype: v4 ? 'IPv4' : 'IPv6' } };
}

/** Why `value` is not a catalog CIDR (undefined when it is one). */
export function cidrProblem(value: string): string | undefined {
  const result = parseCidr(value);
  return result.ok ? undefined : result.message;
}

/** Every problem of a CIDR list, by index: each item's own, then `listed twice` for repeats. */
export function cidrListProblems(values: readonly string[]): { readonly index: number; readonly message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const message = cidrProblem(value);
    if (message !== undefined) {
      problems.push({ index, message });
      return;
    }
    const first = seen.get(value);
    if (first !== undefined) problems.push({ index, message: `cidr \`${value}\` is listed twice (also [${first}])` });
    else seen.set(value, index);
  });
  return problems;
}

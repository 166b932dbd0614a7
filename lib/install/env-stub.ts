// The stub of a site env file (docs/builder-bundle.md, "Site env files"): comments only, one
// commented `NAME=` line per declared variable, so the runner reads it as "nothing set" and the
// operator fills in values by removing the "# " and writing the value after `=`.
import type { SiteVariable } from '../contract';

export function envStubText(template: string, variables: readonly SiteVariable[]): string {
  const lines = [
    `# Site values of template ${template} for goldsmith builds (docs/builder-bundle.md, "Site env files").`,
    '# One NAME=value per line, the value taken literally: no quotes, no $ expansion, no trailing comment.',
    '# To set a variable, remove the "# " before its name and write the value after "=".',
    '# goldsmith install wrote this stub; it never changes the file once it has been edited.',
  ];
  for (const v of variables) {
    const what = [v.required ? 'required' : 'optional', ...(v.secret ? ['secret'] : [])].join(', ');
    lines.push('#', `# ${v.name}: ${what}`, `# ${v.name}=`);
  }
  return `${lines.join('\n')}\n`;
}

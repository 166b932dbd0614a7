// A clouds.yaml with one password entry, as the tests' fake Keystones expect it.

/** The text of a clouds.yaml holding the entry `cloud` (project imagebuilder, region bgo). */
export function cloudsYaml(cloud: string, authUrl: string, username: string, password: string, project = 'imagebuilder'): string {
  return [
    'clouds:',
    `  ${cloud}:`,
    '    auth:',
    `      auth_url: ${authUrl}`,
    `      username: ${username}`,
    `      password: ${password}`,
    `      project_name: ${project}`,
    '      user_domain_name: Default',
    '      project_domain_name: Default',
    '    region_name: bgo',
    '',
  ].join('\n');
}

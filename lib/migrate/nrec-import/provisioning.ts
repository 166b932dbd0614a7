// What an imported catalog needs from goldsmith itself: the provisioning scripts (goldsmith's own,
// config/provision/ of this package: docs/provisioning.md maps each NREC behaviour to one) and the
// site variables those scripts read (names only; the values go into the builder's env files).
import * as fs from 'fs';
import * as path from 'path';
import { ImportError } from './read-source';

/** A site variable as templates.yaml declares it (`required`/`secret` default true). */
export interface VariableDecl {
  readonly name: string;
  readonly required?: false;
  readonly secret?: false;
}

/** The site variables each of goldsmith's provisioning scripts (and the Windows build command) reads. */
export const SCRIPT_VARIABLES: Readonly<Record<string, readonly VariableDecl[]>> = {
  'report.sh': [{ name: 'REPORT_URL', secret: false }],
  'nvidia-grid-driver.sh': [
    { name: 'NVIDIA_GRID_DRIVER_URL' },
    { name: 'NVIDIA_GRID_DRIVER_SHA256', secret: false },
    { name: 'NVIDIA_GRIDD_CONF_URL', secret: false },
    { name: 'NVIDIA_CLIENT_CONFIG_TOKEN_URL', required: false },
  ],
  'uib-puppet.sh': [
    { name: 'PUPPET_SERVER', secret: false },
    { name: 'PUPPET_RELEASE_PACKAGE_URL', secret: false },
    { name: 'PUPPET_AGENT_PACKAGE', required: false, secret: false },
    { name: 'PUPPET_CA_SERVER', required: false, secret: false },
    { name: 'PUPPET_ENVIRONMENT', required: false, secret: false },
    { name: 'PUPPET_CERTNAME_PREFIX', required: false, secret: false },
  ],
  'uio-rhel.sh': [
    { name: 'RHSM_ORG', secret: false },
    { name: 'RHSM_ACTIVATION_KEY' },
    { name: 'SATELLITE_URL', secret: false },
    { name: 'UIO_RPM_URL', secret: false },
  ],
};

/** The Windows build command (builder/goldsmith-windows-build, installed by hand) and its variables. */
export const WINDOWS_COMMAND = '/usr/local/sbin/goldsmith-windows-build';
export const WINDOWS_VARIABLES: readonly VariableDecl[] = [
  { name: 'WINDOWS_BUILD_HOST', secret: false },
  { name: 'WINDOWS_PACKER_DIR', required: false, secret: false },
];

/** The package's directory (where package.json names goldsmith), from lib/ or dist/lib/. */
function packageRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'goldsmith') return dir;
    } catch {
      // not here: one directory up
    }
  }
  throw new ImportError('cannot find the goldsmith package (its config/provision/ scripts are copied into the catalog)');
}

/** goldsmith's provisioning scripts: file name -> content. */
export function bundledScripts(): ReadonlyMap<string, Buffer> {
  const dir = path.join(packageRoot(), 'config', 'provision');
  const out = new Map<string, Buffer>();
  for (const name of fs.readdirSync(dir).sort()) if (name.endsWith('.sh')) out.set(name, fs.readFileSync(path.join(dir, name)));
  return out;
}

// One packer template per template variant (templates.yaml entry), plus the provisioning scripts
// it runs. A plain Construct, not a Terraform resource: the bundle writer collects it into
// builder/templates/<fileName> and builder/scripts/<script>.
import * as path from 'path';
import { Construct } from 'constructs';
import type { Template } from '../catalog/model';
import type { SiteVariable } from '../contract';
import { MAX_SCRIPT_BYTES, readCatalogFile } from '../catalog/read';
import { canonicalJson, deepFreeze, sha256Hex } from '../common';
import {
  PackerTemplate,
  renderPackerTemplate,
  requiredScriptFiles,
  templateFileName,
  validateScriptNames,
  validateTemplateName,
} from './packer-template';

/** One file of scripts/ in the bundle. */
export interface ProvisionScript {
  /** File name, e.g. `upgrade.sh`. */
  readonly name: string;
  /** File content, as read from the script directory. */
  readonly content: string;
  /** sha256 hex of the content. */
  readonly sha256: string;
}

export interface BuildTemplateProps {
  /** The template variant: its name ([a-z0-9_]+) and custom scripts (run before the standard sequence). */
  readonly template: Template;
  /**
   * Directory holding the provisioning scripts, normally `<catalog configDir>/provision`.
   * Every script the template runs, and `lib.sh`, must be there.
   */
  readonly scriptDir: string;
  /**
   * Run `enable_ipv6.sh` in the standard sequence.
   * @default true
   */
  readonly ipv6?: boolean;
  /**
   * How long packer waits for SSH on the build VM (Go duration, e.g. `30m`).
   * @default '30m'
   */
  readonly sshTimeout?: string;
}

/** The packer template of one template variant and the scripts it needs. */
export class BuildTemplate extends Construct {
  /** Template name. */
  public readonly templateName: string;
  /** File name under templates/ in the bundle: `<name>.json` (never `.pkr.json`, see packer-template.ts). */
  public readonly fileName: string;
  /** The template as an object (frozen copy of what `json` holds). */
  public readonly template: PackerTemplate;
  /** The template file text: keys sorted, 2-space indentation, trailing newline. */
  public readonly json: string;
  /** sha256 hex of `json`. */
  public readonly sha256: string;
  /** Shell scripts in the order they run: custom scripts, then the standard sequence. */
  public readonly sequence: readonly string[];
  /** Every file the template needs under scripts/: `lib.sh` first, then `sequence`. */
  public readonly scripts: readonly ProvisionScript[];
  /** User variables without a default: the runner must pass each with `-var`. */
  public readonly requiredVariables: readonly string[];
  /** Every user variable the template declares. */
  public readonly variables: readonly string[];
  /** Site settings and secrets of the template (templates.yaml `variables`): the scripts get them. */
  public readonly siteVariables: readonly SiteVariable[];

  constructor(scope: Construct, id: string, props: BuildTemplateProps) {
    super(scope, id);
    const { name, customScripts } = props.template;
    validateTemplateName(name);
    validateScriptNames(name, customScripts);

    const template = renderPackerTemplate({
      name,
      customScripts,
      ipv6: props.ipv6,
      sshTimeout: props.sshTimeout,
      variables: props.template.variables ?? [],
    });
    this.siteVariables = Object.freeze((props.template.variables ?? []).map((v) => Object.freeze({ ...v })));
    this.templateName = name;
    this.fileName = templateFileName(name);
    this.json = canonicalJson(template);
    this.template = deepFreeze(JSON.parse(this.json) as PackerTemplate);
    this.sha256 = sha256Hex(this.json);

    const files = requiredScriptFiles(customScripts, props.ipv6 ?? true);
    this.sequence = Object.freeze(files.slice(1));
    this.scripts = Object.freeze(
      files.map((file) => {
        const full = path.join(props.scriptDir, file);
        // The same reader as the loader: a script swapped for a symlink or FIFO since validation is refused.
        const read = readCatalogFile(full, MAX_SCRIPT_BYTES);
        if (!read.ok) {
          const where = `template ${name}: provisioning script ${file}`;
          throw new Error(
            read.code === 'ENOENT' ? `${where} not found in ${props.scriptDir}` : `${where} in ${props.scriptDir} ${read.message}`,
          );
        }
        const content = read.text;
        return Object.freeze({ name: file, content, sha256: sha256Hex(content) });
      }),
    );

    const vars = template.variables;
    this.variables = Object.freeze(Object.keys(vars).sort());
    this.requiredVariables = Object.freeze(this.variables.filter((v) => vars[v] === null));
  }
}

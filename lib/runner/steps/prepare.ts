// prepare: the host checks a build needs (the node version warned about, qemu-img present), the
// template's site settings read (a required one missing fails here, first), every directory
// usable, leftovers of killed runs removed.
import * as fs from 'fs';
import * as path from 'path';
import { reEscape } from '../../common';
import type { BuildStep } from '../build-step';
import { amendReport } from '../build-step';
import { qemuImgVersion } from '../convert';
import { dirProblem } from '../directories';
import { nodeVersionProblem } from '../doctor';
import { rmQuiet } from '../files';
import { checkPackerVars } from '../packer/packer-args';
import { pruneLogs } from '../report';
import { readSiteEnv } from '../site-env';
import { cleanOrphans, cleanStaleTemps, repairLatest } from '../store';

export const prepareStep: BuildStep = {
  name: 'prepare',
  describe: ({ config }) => {
    const p = config.paths;
    const site = config.site_env;
    return [
      ...(config.template_file !== undefined ? ['would check packer_vars for template expressions and control characters'] : []),
      ...(site
        ? [`would read the site settings ${site.variables.map((v) => `${v.name}${v.required ? '' : ' (optional)'}`).join(', ')} from ${site.file}`]
        : []),
      `would create and probe ${p.state}, ${p.work} and ${p.store}`,
      `would remove stale .${config.image}-*.tmp in ${p.store}, orphaned checksum files and work directories in ${p.work}; bring the -latest links into the pointer layout`,
      `would remove build logs beyond the newest 30 and run qemu-img --version`,
    ];
  },
  run: async (run) => {
    const { config, log } = run;
    // `goldsmith doctor` checks the whole host; a build warns about what it can still run with.
    const node = nodeVersionProblem();
    if (node) log(`warning: ${node}`);
    if (config.template_file !== undefined) checkPackerVars(config.packer_vars);
    if (config.site_env) {
      const site = readSiteEnv(config.site_env, config.template);
      for (const note of site.notes) log(note);
      run.siteValues = site.values;
    }
    // Every directory is checked before anything is downloaded or baked.
    for (const key of ['state', 'work', 'store'] as const) {
      const problem = dirProblem(config.paths[key]);
      if (problem) throw new Error(`paths.${key} ${config.paths[key]} ${problem}`);
    }
    const store = config.paths.store;
    for (const t of cleanStaleTemps(store, config.image)) log(`removed stale temp file ${t} of an earlier run`);
    for (const o of cleanOrphans(store, config.image)) {
      log(o.endsWith('.latest') ? `removed ${o}: its build is gone` : `removed ${o}: its image was never stored (an earlier run was killed while storing)`);
    }
    const repaired = repairLatest(store, config.image, config.output.disk_format);
    if (repaired.length) log(`-latest links brought into the pointer layout: ${repaired.join(', ')}`);
    const workRe = new RegExp(`^${reEscape(config.image)}-\\d{8}T\\d{6}Z$`);
    for (const name of fs.readdirSync(config.paths.work)) {
      if (workRe.test(name)) {
        rmQuiet(path.join(config.paths.work, name));
        log(`removed stale work directory ${name} of an earlier run`);
      }
    }
    const oldLogs = pruneLogs(config.paths.logs, config.image);
    if (oldLogs.length) log(`removed ${oldLogs.length} old build log(s)`);
    const v = await qemuImgVersion({ qemuImg: run.options.qemuImg, signal: run.signal });
    amendReport(run, { tools: { ...run.report.tools, 'qemu-img': v } });
    fs.mkdirSync(run.workDir, { recursive: true });
  },
};

// inspect, convert and verify: the artifact checked, converted into a temp file in the store
// (the output format and compression of the config), and the result compared with the artifact.
import * as path from 'path';
import { checkPassed, type BuildPlan, type BuildRun, type BuildStep } from '../build-step';
import { checkImage, compareImages, convertArgs, convertImage, imageInfo, inspectImage, type QemuImgOptions } from '../convert';
import { sniffFormat } from '../disk-format';

function qemuOptions(run: BuildRun): QemuImgOptions {
  return { qemuImg: run.options.qemuImg, timeoutMs: run.config.timeouts_s.convert * 1000, signal: run.signal };
}

export const inspectStep: BuildStep = {
  name: 'inspect',
  describe: () => ['would check that the artifact is a self-contained qcow2 or raw image (magic bytes, header, qemu-img info -f)'],
  run: async (run) => {
    const f = run.baked!.artifactFile;
    const expected = run.baked!.format ?? (sniffFormat(f) === 'qcow2' ? 'qcow2' : 'raw');
    const info = await inspectImage(f, expected, `artifact ${path.basename(f)}`, qemuOptions(run));
    run.artifactInfo = info;
    checkPassed(run, 'artifact-image', `a self-contained ${info.format} image (magic bytes, header, qemu-img info -f ${info.format})`);
    return { detail: `${info.format}, virtual size ${info.virtualSize}` };
  },
};

function convertArgsOf(plan: BuildPlan, input: string, inputFormat: string): string[] {
  return convertArgs(input, plan.convertedFile, { inputFormat, format: plan.config.output.disk_format, compression: plan.config.output.compression });
}

export const convertStep: BuildStep = {
  name: 'convert',
  describe: (plan) => [`would run: qemu-img ${convertArgsOf(plan, '<artifact>', '<probed>').join(' ')} (timeout ${plan.config.timeouts_s.convert} s)`],
  run: async (run) => {
    const r = await convertImage(run.baked!.artifactFile, run.convertedFile, {
      ...qemuOptions(run),
      inputFormat: run.artifactInfo!.format,
      format: run.config.output.disk_format,
      compression: run.config.output.compression,
    });
    return { detail: `${r.args.slice(0, -2).join(' ')}: ${r.sizeBytes} bytes in ${r.durationS.toFixed(1)} s` };
  },
};

export const verifyStep: BuildStep = {
  name: 'verify',
  describe: ({ config }) => [`would verify: ${config.output.disk_format === 'qcow2' ? 'qemu-img check, ' : ''}qemu-img compare against the artifact`],
  run: async (run) => {
    const ext = run.config.output.disk_format;
    const out = run.convertedFile;
    const artifact = run.artifactInfo!;
    const opts = qemuOptions(run);
    const info = await imageInfo(out, ext, opts);
    if (info.format !== ext) throw new Error(`converted file is ${info.format}, expected ${ext}`);
    if (info.virtualSize !== artifact.virtualSize) throw new Error(`virtual size ${info.virtualSize} differs from the artifact's ${artifact.virtualSize}`);
    checkPassed(run, 'converted-format', `qemu-img info -f ${ext}: ${ext}, virtual size ${info.virtualSize} as the artifact's`);
    if (ext === 'qcow2') {
      await checkImage(out, 'qcow2', opts);
      checkPassed(run, 'qemu-img-check', 'qemu-img check -f qcow2: no errors, no leaks');
    }
    await compareImages(run.baked!.artifactFile, artifact.format, out, ext, opts);
    checkPassed(run, 'qemu-img-compare', 'qemu-img compare: the same guest-visible content as the artifact');
  },
};

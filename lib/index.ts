// goldsmith as a library: the catalog, the constructs, the environment stack and synthesis.
export * from './catalog';
export * from './constructs';
export { EnvironmentStack, type EnvironmentStackProps } from '../stacks/environment-stack';
export { synthCatalog, checkStacks, type SynthOptions, type SynthResult } from './synth';
export { writeBundle, readManifest, type BuilderBundle, type BundleManifest } from './bundle/write-bundle';

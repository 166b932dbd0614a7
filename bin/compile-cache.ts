// Node >= 22.1 keeps the compiled code of every module on disk (the temp dir's node-compile-cache):
// cdktf, zod and the rest are not compiled again on every run. Imported first by the entry points.
import * as nodeModule from 'module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// Node >= 22.1 keeps the compiled code of every module on disk (the temp dir's node-compile-cache):
// cdktf, zod and the rest are not compiled again on every synth. Imported first by bin/app.ts only:
// the goldsmith CLI writes nothing it does not have to (`validate` writes nothing at all).
import * as nodeModule from 'module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

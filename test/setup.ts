import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';

process.env.CHECKPOINT_DISABLE = '1';
Testing.setupJest();

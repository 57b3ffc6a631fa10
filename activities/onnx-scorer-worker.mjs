// The scoring thread's entry (onnx-scorer-thread.ts): loader hooks are per thread, so the thread
// registers tsx's loader itself before it loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./onnx-scorer-worker.ts');

// Prints the WebGPU adapter Node gets through Dawn (a real GPU, or SwiftShader when there is none) as JSON.
import { nodeGpu } from '../src/engine/node/dawn';

const gpu = await nodeGpu();
console.log(JSON.stringify({ adapter: gpu.label, ...gpu.summary }, null, 2));
gpu.close();

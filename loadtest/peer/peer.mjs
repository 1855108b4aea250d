// The peer of ./lfr bench peer: face-api.js's whole pipeline (SSD MobileNet v1 detection, 68 landmarks, 128-D
// descriptor for every face) on the fastest tfjs backend that installs from npm here, WebAssembly, over the same
// images our engine processes. Images come as raw RGB (written by the Java side, so both decode nothing here).
// Usage: node peer.mjs DIR [backend]   (DIR holds images.json and one <name>.rgb per image); prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;
const backend = process.argv[3] || 'wasm';
if (backend === 'wasm') {
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/');
}
await tf.setBackend(backend);
await tf.ready();

const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);

const dir = process.argv[2];
const images = JSON.parse(fs.readFileSync(path.join(dir, 'images.json')));
const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });

async function run(image) {
  const rgb = fs.readFileSync(path.join(dir, image.name + '.rgb'));
  const t = tf.tensor3d(new Int32Array(rgb), [image.height, image.width, 3], 'int32');
  const faces = await faceapi.detectAllFaces(t, options).withFaceLandmarks().withFaceDescriptors();
  t.dispose();
  return faces.length;
}

for (const image of images.slice(0, 3)) { // warm-up: first runs compile kernels
  await run(image);
}
let faces = 0;
const start = process.hrtime.bigint();
for (const image of images) {
  faces += await run(image);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const simd = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null;
const multithread = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : null;
process.stdout.write(JSON.stringify({
  peer: '@vladmandic/face-api@1.7.15 (SSD MobileNet v1 + landmarks 68 + ResNet 128-D)',
  backend: tf.getBackend(),
  threads: backend === 'wasm' ? require('@tensorflow/tfjs-backend-wasm').getThreadsCount?.() ?? null : 1,
  wasm_simd: simd,
  wasm_multithread: multithread,
  node: process.version,
  images: images.length,
  faces,
  seconds,
  images_per_s: images.length / seconds,
  faces_per_s: faces / seconds,
}) + '\n');

// Computes dlib-ResNet descriptors with face-api.js itself (tfjs "cpu" backend: pure JavaScript, no native
// binaries) for raw 150x150 RGB chips written by ConformanceInputs, and prints the fixture JSON on stdout.
// Usage: node reference.mjs DIR   (DIR holds inputs.json and one <name>.rgb per chip)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// the node-wasm build loads @tensorflow/tfjs (pure JS) instead of the native tfjs-node; we then pick its CPU backend
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'face_recognition_model-weights_manifest.json')));
const bin = fs.readFileSync(path.join(modelDir, 'face_recognition_model.bin'));
const weights = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  manifest[0].weights);
const net = faceapi.nets.faceRecognitionNet;
net.loadFromWeightMap(weights);

const dir = process.argv[2];
const inputs = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json')));
const out = [];
for (const input of inputs) {
  const rgb = fs.readFileSync(path.join(dir, input.name + '.rgb'));
  const t = tf.tensor3d(new Int32Array(rgb), [150, 150, 3], 'int32');
  const d = await net.computeFaceDescriptor(t);
  t.dispose();
  out.push({ ...input, descriptor: Array.from(d).map((v) => Number(v.toPrecision(7))) });
}
process.stdout.write(JSON.stringify({
  generator: 'udfs/src/test/node/dlib-reference/regenerate.sh',
  faceApi: '@vladmandic/face-api@1.7.15',
  backend: tf.getBackend(),
  note: 'raw (unnormalised) 128-D descriptors of 150x150 dlib face chips from ../shared/data/dlib, input given as RGB bytes',
  faces: out,
}, null, 1) + '\n');

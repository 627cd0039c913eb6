// The converted ONNX model equals the original TensorFlow.js model: both run on the identical
// input tensor (written by vision_nanodet_dump from a real photo), outputs compared elementwise.
// Environment: VS_DUMP_DIR (the dump), VS_TFJS_MODEL (the TensorFlow.js model.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

const TOLERANCE = 1e-4;
const dumpDir = process.env.VS_DUMP_DIR;
const modelJson = process.env.VS_TFJS_MODEL;

function readFloats(file) {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

async function loadTfjsModel(jsonPath) {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const dir = path.dirname(jsonPath);
  const weightSpecs = [];
  const shards = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      weightSpecs,
      weightData,
    }),
  });
}

test('ONNX outputs equal TensorFlow.js outputs within 1e-4', async () => {
  assert.ok(dumpDir && modelJson, 'VS_DUMP_DIR and VS_TFJS_MODEL must be set');
  await tf.setBackend('cpu');
  const manifest = JSON.parse(readFileSync(path.join(dumpDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.outputs.length, 6, 'NanoDet has six outputs');
  const model = await loadTfjsModel(modelJson);

  const input = tf.tensor(readFloats(path.join(dumpDir, manifest.input.file)), manifest.input.shape);
  const names = manifest.outputs.map((o) => `${o.name}:0`);
  const results = model.execute({ [manifest.input.name]: input }, names);

  let maxScore = 0;
  for (let i = 0; i < names.length; i++) {
    const spec = manifest.outputs[i];
    assert.deepEqual(results[i].shape, spec.shape, `${spec.name}: shape`);
    const expected = results[i].dataSync();
    const actual = readFloats(path.join(dumpDir, spec.file));
    assert.equal(actual.length, expected.length, `${spec.name}: element count`);
    let worst = 0;
    let worstAt = -1;
    for (let k = 0; k < actual.length; k++) {
      const d = Math.abs(actual[k] - expected[k]);
      if (!(d <= worst)) {
        worst = d;
        worstAt = k;
      }
    }
    if (spec.shape[2] === 80) for (const v of expected) maxScore = Math.max(maxScore, v);
    console.log(`${spec.name} ${JSON.stringify(spec.shape)}: max |onnx - tfjs| = ${worst.toExponential(2)}`);
    assert.ok(worst <= TOLERANCE,
      `${spec.name}: difference ${worst} at element ${worstAt} exceeds ${TOLERANCE}`);
  }
  // The photo has objects in it: the comparison is not between two blank outputs.
  assert.ok(maxScore > 0.3, `highest class score ${maxScore} is implausibly low for this photo`);
});

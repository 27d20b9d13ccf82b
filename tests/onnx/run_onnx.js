#!/usr/bin/env node
// Runs an ONNX model on onnxruntime's CPU provider: run_onnx.js MODEL.onnx IN.npy [IN2.npy ...] OUT.npy
// (inputs bind to the model's inputs in order; the first output is written). run_onnx.js --batch LIST
// runs every line of LIST as such an argument list in one process, saving node's start-up per model.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const DTYPES = {
  '|i1': ['int8', Int8Array], '|u1': ['uint8', Uint8Array], '<i4': ['int32', Int32Array], '<f4': ['float32', Float32Array],
};

function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || !DTYPES[descr[1]] || /'fortran_order':\s*True/.test(header))
    throw new Error(`${path}: unsupported .npy header ${header}`);
  const [type, Array] = DTYPES[descr[1]];
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const body = buf.subarray(start + headerLen);
  if (body.length !== count * Array.BYTES_PER_ELEMENT) throw new Error(`${path}: data does not match shape`);
  const data = new Array(count);
  const copy = Buffer.from(body);  // aligned copy for the typed array view
  data.set(new Array(copy.buffer, copy.byteOffset, count));
  return new ort.Tensor(type, data, dims);
}

function writeNpy(path, tensor) {
  const descr = Object.keys(DTYPES).find((d) => DTYPES[d][0] === tensor.type);
  if (!descr) throw new Error(`output type ${tensor.type} is not supported`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';  // pad to a 64-byte boundary
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  const d = tensor.data;
  fs.writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

async function runModel(args) {
  if (args.length < 3) throw new Error('usage: run_onnx.js MODEL.onnx IN.npy [IN2.npy ...] OUT.npy | --batch LIST');
  const session = await ort.InferenceSession.create(args[0], { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const inputs = args.slice(1, -1);
  if (inputs.length !== session.inputNames.length)
    throw new Error(`${args[0]}: model has ${session.inputNames.length} inputs, ${inputs.length} given`);
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
  const results = await session.run(feeds);
  writeNpy(args[args.length - 1], results[session.outputNames[0]]);
}

async function main(args) {
  if (args[0] !== '--batch') return runModel(args);
  if (args.length !== 2) throw new Error('usage: run_onnx.js --batch LIST');
  const lines = fs.readFileSync(args[1], 'latin1').split('\n').filter((l) => l.trim());
  for (const line of lines) await runModel(line.trim().split(/\s+/));
}

main(process.argv.slice(2)).catch((e) => { console.error(`run_onnx: ${e.message}`); process.exit(1); });

#!/usr/bin/env node
// Runs an ONNX model on onnxruntime's CPU provider: run_onnx.js MODEL.onnx IN.npy [IN2.npy ...] OUT.npy
// (inputs bind to the model's inputs in order; the first output is written). run_onnx.js --batch LIST
// runs every line of LIST as such an argument list in one process, saving node's start-up per model.
// Before MODEL: --dump-dir DIR also writes every output as DIR/<name with / and : as _>.npy;
// --stats QPARAMS.json prints, for each output QPARAMS names ({name: {type, zero_point}}), the fraction
// of elements at the type's minimum, maximum and zero point, and the spread of the first output.
// Int8 QDQ graphs run on onnxruntime's integer kernels (session option session.qdqisint8allowed, its
// default on ARM): on x86 it otherwise converts s8 activations to u8 only where a QuantizeLinear feeds
// a single DequantizeLinear and runs the other convs and adds (the residual stream's) as float32 ops,
// whose rounding differs from its own integer kernels (docs/mobilenet.md). --x86-int8-qdq keeps that
// x86 default. --level LEVEL sets the graph optimization level: disabled, basic (no QDQ fusion: every
// QDQ op runs in float32, as the ONNX operators define it), extended or all (the default).
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

const LIMITS = { int8: [-128, 127], uint8: [0, 255] };

function printStats(results, qparams, first) {
  for (const [name, q] of Object.entries(qparams)) {
    const t = results[name];
    if (!t) continue;
    const [lo, hi] = LIMITS[q.type];
    let atMin = 0, atMax = 0, atZero = 0;
    for (const v of t.data) {
      atMin += v === lo;
      atMax += v === hi;
      atZero += v === q.zero_point;
    }
    const n = t.data.length;
    console.log(`tensor ${name} ${q.type} n ${n} at_min ${(atMin / n).toFixed(4)} at_max ${(atMax / n).toFixed(4)} ` +
                `at_zero_point ${(atZero / n).toFixed(4)} levels ${new Set(t.data).size}`);
  }
  const out = results[first].data;
  console.log(`output ${first} n ${out.length} min ${Math.min(...out)} max ${Math.max(...out)} distinct ${new Set(out).size}`);
}

async function runModel(argv) {
  const args = [...argv];
  let dumpDir = null, qparams = null, int8Fusion = true, level = 'all';
  for (;;) {
    if (args[0] === '--dump-dir' && args.length > 1) dumpDir = args.splice(0, 2)[1];
    else if (args[0] === '--stats' && args.length > 1) qparams = JSON.parse(fs.readFileSync(args.splice(0, 2)[1], 'utf8'));
    else if (args[0] === '--x86-int8-qdq') { args.shift(); int8Fusion = false; }
    else if (args[0] === '--level' && args.length > 1) level = args.splice(0, 2)[1];
    else break;
  }
  if (args.length < 3)
    throw new Error('usage: run_onnx.js [--dump-dir DIR] [--stats QPARAMS.json] [--x86-int8-qdq] [--level LEVEL] MODEL.onnx IN.npy [IN2.npy ...] OUT.npy | --batch LIST');
  const options = { executionProviders: ['cpu'], logSeverityLevel: 3, graphOptimizationLevel: level };
  if (int8Fusion) options.extra = { session: { qdqisint8allowed: '1' } };
  const session = await ort.InferenceSession.create(args[0], options);
  const inputs = args.slice(1, -1);
  if (inputs.length !== session.inputNames.length)
    throw new Error(`${args[0]}: model has ${session.inputNames.length} inputs, ${inputs.length} given`);
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
  const results = await session.run(feeds);
  writeNpy(args[args.length - 1], results[session.outputNames[0]]);
  if (dumpDir) {
    fs.mkdirSync(dumpDir, { recursive: true });
    for (const name of session.outputNames) writeNpy(`${dumpDir}/${name.replace(/[/:]/g, '_')}.npy`, results[name]);
  }
  if (qparams) printStats(results, qparams, session.outputNames[0]);
}

async function main(args) {
  if (args[0] !== '--batch') return runModel(args);
  if (args.length !== 2) throw new Error('usage: run_onnx.js --batch LIST');
  const lines = fs.readFileSync(args[1], 'latin1').split('\n').filter((l) => l.trim());
  for (const line of lines) await runModel(line.trim().split(/\s+/));
}

main(process.argv.slice(2)).catch((e) => { console.error(`run_onnx: ${e.message}`); process.exit(1); });

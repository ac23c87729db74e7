// verify.mjs - an independent verifier of the joint record's formats, written
// from the specifications with Node.js 20's built-in modules only: RFC 9162
// section 2.1 Merkle tree hashes, inclusion (2.1.3.2) and consistency
// (2.1.4.2) proofs; C2SP signed-note Ed25519 signatures, key IDs and vkeys;
// tlog-checkpoint bodies; tlog-cosignature/v1 Ed25519 cosignatures.
// (Node.js 18, Debian 12's, is enough.)
//
// It reads the JSON written by tests/tools/record_vectors and fails when a
// vector marked "valid" is refused or one marked "invalid" is accepted.
//
//   node verify.mjs vectors.json
//   node verify.mjs --run path/to/record_vectors [--size N]
//
// Before the vectors it checks itself against published answers: the RFC
// 6962 / Certificate Transparency roots of the 8 test leaves and the
// golang.org/x/mod/sumdb/note "PeterNeumann" signed note.

import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOTE_MAX = 1024 * 1024;
const NOTE_MAX_SIGS = 100;
const U64_MAX = (1n << 64n) - 1n;
const TIME_MAX = (1n << 63n) - 1n;
const EM_DASH = '\u2014';

class Refusal extends Error {}

function refuse(why) {
  throw new Refusal(why);
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

// RFC 4648 section 4 base64, canonical only: padded, no spare bits set.
function base64(s, what) {
  if (typeof s !== 'string' || s.length === 0 || s.length % 4 !== 0 ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    refuse(`${what} is not padded base64`);
  }
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64') !== s) refuse(`${what} is not canonical base64`);
  return buf;
}

function toBigInt(x, what) {
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return BigInt(x);
  if (typeof x === 'string' && /^(0|[1-9][0-9]*)$/.test(x)) return BigInt(x);
  return refuse(`${what} is not a non-negative integer`);
}

// ---- RFC 9162 section 2.1 ----

const leafHash = (data) => sha256(Buffer.of(0x00), data);
const nodeHash = (l, r) => sha256(Buffer.of(0x01), l, r);

// The largest power of two smaller than n (n > 1).
function split(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[lo:hi)) over leaf hashes, straight from section 2.1.1.
function mth(hashes, lo, hi) {
  const n = hi - lo;
  if (n === 0) return sha256();
  if (n === 1) return hashes[lo];
  const k = split(n);
  return nodeHash(mth(hashes, lo, lo + k), mth(hashes, lo + k, hi));
}

function hashList(list, what) {
  if (!Array.isArray(list) || list.length > 64) refuse(`${what} is not a list of at most 64`);
  return list.map((h, i) => {
    const b = base64(h, `${what}[${i}]`);
    if (b.length !== 32) refuse(`${what}[${i}] is not 32 bytes`);
    return b;
  });
}

// Right-shifts fn and sn until fn's low bit is set or fn is 0.
function shiftToOdd(s) {
  while ((s.fn & 1n) === 0n && s.fn !== 0n) {
    s.fn >>= 1n;
    s.sn >>= 1n;
  }
}

// Section 2.1.3.2.
function verifyInclusion(leaf, index, size, proof, root) {
  if (index >= size) refuse('leaf index is not below the tree size');
  const s = { fn: index, sn: size - 1n };
  let r = leaf;
  for (const p of proof) {
    if (s.sn === 0n) refuse('inclusion proof is longer than the path');
    if ((s.fn & 1n) === 1n || s.fn === s.sn) {
      r = nodeHash(p, r);
      shiftToOdd(s);
    } else {
      r = nodeHash(r, p);
    }
    s.fn >>= 1n;
    s.sn >>= 1n;
  }
  if (s.sn !== 0n) refuse('inclusion proof is shorter than the path');
  if (!r.equals(root)) refuse('inclusion proof does not lead to the root');
}

// Section 2.1.4.2, with the cases that come before its loop.
function verifyConsistency(first, second, firstHash, secondHash, proof) {
  if (first === 0n) refuse('consistency from the empty tree proves nothing');
  if (first > second) refuse('old size above the new size');
  if (first === second) {
    if (proof.length !== 0 || !firstHash.equals(secondHash)) refuse('equal sizes, different heads');
    return;
  }
  if (proof.length === 0) refuse('empty consistency proof');
  const path = (first & (first - 1n)) === 0n ? [firstHash, ...proof] : [...proof];
  const s = { fn: first - 1n, sn: second - 1n };
  while ((s.fn & 1n) === 1n) {
    s.fn >>= 1n;
    s.sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (s.sn === 0n) refuse('consistency proof is too long');
    if ((s.fn & 1n) === 1n || s.fn === s.sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      shiftToOdd(s);
    } else {
      sr = nodeHash(sr, c);
    }
    s.fn >>= 1n;
    s.sn >>= 1n;
  }
  if (s.sn !== 0n) refuse('consistency proof is too short');
  if (!fr.equals(firstHash)) refuse('consistency proof does not give the old root');
  if (!sr.equals(secondHash)) refuse('consistency proof does not give the new root');
}

// ---- C2SP signed-note ----

// Unicode White_Space, which key names must not contain.
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

function checkText(text, what) {
  // A lone surrogate (category Cs in a u-mode regex) has no UTF-8 form.
  if (typeof text !== 'string' || /\p{Cs}/u.test(text)) refuse(`${what} is not UTF-8 text`);
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) refuse(`${what} has a control character`);
  if (Buffer.byteLength(text, 'utf8') > NOTE_MAX) refuse(`${what} is too large`);
}

function checkName(name, what) {
  if (name.length === 0 || SPACE.test(name) || name.includes('+')) refuse(`${what} is not a valid key name`);
}

// key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian.
function keyId(name, type, pub) {
  return sha256(Buffer.from(name, 'utf8'), Buffer.of(0x0a, type), pub).readUInt32BE(0);
}

// "<name>+<8 hex digits>+<base64(type || 32-byte Ed25519 key)>".
function parseVkey(vkey, wantType) {
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (b < 0) refuse('vkey is not name+hash+key');
  const name = vkey.slice(0, a);
  const hex = vkey.slice(a + 1, b);
  checkName(name, 'vkey name');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) refuse('vkey hash is not 8 hex digits');
  const key = base64(vkey.slice(b + 1), 'vkey key');
  if (key.length !== 33 || key[0] !== wantType) refuse(`vkey is not an Ed25519 key of type ${wantType}`);
  const pub = key.subarray(1);
  if (keyId(name, wantType, pub) !== parseInt(hex, 16)) refuse('vkey hash does not match its key');
  return { name, pub, id: parseInt(hex, 16) };
}

// Text ending in newline, a blank line, then lines "— <name> <base64(id || sig)>".
function parseNote(text) {
  checkText(text, 'note');
  if (!text.endsWith('\n')) refuse('note does not end in a newline');
  const at = text.lastIndexOf('\n\n');
  if (at < 0) refuse('note has no blank line');
  const body = text.slice(0, at + 1);
  const lines = text.slice(at + 2, -1);
  if (lines.length === 0) refuse('note has no signatures');
  const sigs = lines.split('\n').map((line) => {
    if (!line.startsWith(`${EM_DASH} `)) refuse('signature line does not start with an em dash');
    const rest = line.slice(2);
    const sp = rest.indexOf(' ');
    if (sp < 0) refuse('signature line has no name');
    const name = rest.slice(0, sp);
    checkName(name, 'signature name');
    const raw = base64(rest.slice(sp + 1), 'signature');
    if (raw.length < 5) refuse('signature shorter than 5 bytes');
    return { name, id: raw.readUInt32BE(0), sig: raw.subarray(4) };
  });
  if (sigs.length > NOTE_MAX_SIGS) refuse('too many signatures');
  return { body: Buffer.from(body, 'utf8'), sigs };
}

function ed25519Valid(pub, msg, sig) {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url') }, format: 'jwk' });
  return cryptoVerify(null, msg, key, sig);
}

// signed-note "Signatures": a key is a name and a key ID; lines of other keys are
// ignored. Every line of this key is a candidate: the first that verifies counts,
// so a bogus line put before the good one hides nothing.
function findSigs(note, key) {
  const sigs = note.sigs.filter((s) => s.name === key.name && s.id === key.id);
  if (sigs.length === 0) refuse('no signature by that key');
  return sigs;
}

function verifyNote(text, vkey) {
  const key = parseVkey(vkey, 0x01);
  const note = parseNote(text);
  const ok = findSigs(note, key).some((sig) => sig.sig.length === 64 &&
    ed25519Valid(key.pub, note.body, sig.sig));
  if (!ok) refuse('signature does not verify');
  return note;
}

// tlog-cosignature/v1: sig = u64 time || Ed25519("cosignature/v1\ntime <t>\n" || body).
function cosignatureTime(note, key, sig) {
  if (sig.sig.length !== 72) return undefined;
  const time = sig.sig.readBigUInt64BE(0);
  if (time > TIME_MAX) return undefined;
  const msg = Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`), note.body]);
  return ed25519Valid(key.pub, msg, sig.sig.subarray(8)) ? time : undefined;
}

function verifyCosignature(text, vkey) {
  const key = parseVkey(vkey, 0x04);
  const note = parseNote(text);
  for (const sig of findSigs(note, key)) {
    const time = cosignatureTime(note, key, sig);
    if (time !== undefined) return time;
  }
  return refuse('cosignature does not verify (not 72 bytes, time above 2^63 - 1, or a bad signature)');
}

// tlog-checkpoint: origin, decimal size without leading zeros, base64 root, non-empty extensions.
function parseCheckpoint(body) {
  checkText(body, 'checkpoint');
  if (!body.endsWith('\n')) refuse('checkpoint does not end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) refuse('checkpoint has fewer than three lines');
  const [origin, size, root, ...ext] = lines;
  if (origin.length === 0) refuse('empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || BigInt(size) > U64_MAX) refuse('bad tree size');
  const rootBytes = base64(root, 'root hash');
  if (rootBytes.length !== 32) refuse('root hash is not 32 bytes');
  if (ext.some((l) => l.length === 0)) refuse('empty extension line');
  return { origin, size: BigInt(size), root: rootBytes, extensions: ext.length };
}

// ---- the vectors ----

function checkVector(v, tree) {
  switch (v.kind) {
    case 'inclusion': {
      const root = base64(v.root, 'root');
      const size = toBigInt(v.size, 'size');
      verifyInclusion(leafHash(base64Leaf(v.leaf)), toBigInt(v.index, 'index'), size,
        hashList(v.proof, 'proof'), root);
      if (v.expect === 'valid') sameRoot(tree, size, root);
      return;
    }
    case 'consistency': {
      const [a, b] = [toBigInt(v.old_size, 'old size'), toBigInt(v.new_size, 'new size')];
      const [ra, rb] = [base64(v.old_root, 'old root'), base64(v.new_root, 'new root')];
      verifyConsistency(a, b, ra, rb, hashList(v.proof, 'proof'));
      if (v.expect === 'valid') {
        sameRoot(tree, a, ra);
        sameRoot(tree, b, rb);
      }
      return;
    }
    case 'note':
      verifyNote(v.note, v.vkey);
      return;
    case 'cosignature': {
      const time = verifyCosignature(v.note, v.vkey);
      if (v.timestamp !== undefined && time !== toBigInt(v.timestamp, 'timestamp')) refuse('wrong time');
      return;
    }
    case 'checkpoint': {
      const cp = parseCheckpoint(v.body);
      if (v.expect === 'valid' && (cp.origin !== v.origin || cp.size !== toBigInt(v.size, 'size') ||
          !cp.root.equals(base64(v.root, 'root')) || cp.extensions !== v.extensions)) {
        refuse('checkpoint fields differ from the expected ones');
      }
      return;
    }
    default:
      refuse(`unknown kind ${v.kind}`);
  }
}

// Leaf data may be empty, which canonical base64 cannot spell.
function base64Leaf(s) {
  return s === '' ? Buffer.alloc(0) : base64(s, 'leaf');
}

// A valid vector's root must also be the MTH this verifier computes from the leaves.
function sameRoot(tree, size, root) {
  if (size > BigInt(tree.hashes.length)) refuse('size beyond the tree');
  const n = Number(size);
  if (!tree.roots.has(n)) tree.roots.set(n, mth(tree.hashes, 0, n));
  if (!tree.roots.get(n).equals(root)) refuse(`root of size ${n} is not the MTH of the leaves`);
}

function checkTree(t) {
  const tree = { hashes: t.leaves.map((l) => leafHash(base64Leaf(l))), roots: new Map() };
  if (toBigInt(t.size, 'tree size') !== BigInt(tree.hashes.length)) refuse('tree size and leaves differ');
  sameRoot(tree, BigInt(tree.hashes.length), base64(t.root, 'tree root'));
  const note = verifyNote(t.checkpoint, t.log_vkey);
  const time = verifyCosignature(t.checkpoint, t.witness_vkey);
  const cp = parseCheckpoint(note.body.toString('utf8'));
  if (cp.origin !== t.origin || cp.size !== BigInt(tree.hashes.length) || !cp.root.equals(base64(t.root, 'root')) ||
      time !== toBigInt(t.timestamp, 'timestamp')) {
    refuse('the checkpoint does not describe the tree');
  }
  return tree;
}

// ---- self-test against published answers ----

function selfTest() {
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657',
    '606162636465666768696a6b6c6d6e6f'].map((h) => leafHash(Buffer.from(h, 'hex')));
  const roots = ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'];
  roots.forEach((r, i) => {
    if (mth(leaves, 0, i + 1).toString('hex') !== r) throw new Error(`self-test: MTH of ${i + 1} leaves`);
  });
  const hex = (l) => l.map((h) => Buffer.from(h, 'hex'));
  verifyInclusion(leaves[5], 5n, 8n, hex(['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']), Buffer.from(roots[7], 'hex'));
  verifyConsistency(6n, 8n, Buffer.from(roots[5], 'hex'), Buffer.from(roots[7], 'hex'),
    hex(['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']));
  verifyNote('If you think cryptography is the answer to your problem,\n' +
    "then you don't know what your problem is.\n\n" +
    `${EM_DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
  'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
}

// ---- main ----

function loadVectors(argv) {
  if (argv[0] !== '--run') return JSON.parse(readFileSync(argv[0], 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'lia-verify-'));
  try {
    const out = join(dir, 'vectors.json');
    const size = argv[2] === '--size' ? argv[3] : '1000';
    execFileSync(argv[1], ['-n', size, '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv) {
  if (argv.length === 0) {
    console.error('usage: verify.mjs vectors.json | verify.mjs --run record_vectors [--size N]');
    return 2;
  }
  selfTest();
  const doc = loadVectors(argv);
  const tree = checkTree(doc.tree);
  const tally = new Map();
  let wrong = 0;
  for (const v of doc.vectors) {
    let reason = null;
    try {
      checkVector(v, tree);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      reason = e.message;
    }
    const accepted = reason === null;
    const key = `${v.kind} ${v.expect}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (accepted !== (v.expect === 'valid')) {
      wrong++;
      console.error(`WRONG: ${v.kind} "${v.why}" expected ${v.expect}, ${accepted ? 'accepted' : `refused: ${reason}`}`);
    }
  }
  for (const kind of ['inclusion', 'consistency', 'note', 'cosignature', 'checkpoint']) {
    const good = tally.get(`${kind} valid`) ?? 0;
    const bad = tally.get(`${kind} invalid`) ?? 0;
    console.log(`${kind}: ${good} valid, ${bad} corrupted`);
    if (good === 0 || bad === 0) {
      console.error(`WRONG: no ${good === 0 ? 'valid' : 'corrupted'} ${kind} vectors`);
      wrong++;
    }
  }
  console.log(`tree of ${tree.hashes.length} leaves: root, checkpoint, log signature and cosignature verified`);
  console.log(wrong === 0 ? `all ${doc.vectors.length} vectors as expected` : `${wrong} vectors wrong`);
  return wrong === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`verify.mjs: ${e instanceof Refusal ? 'refused: ' : ''}${e.message}`);
  process.exitCode = 1;
}

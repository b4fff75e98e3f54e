// bench_peers.js — PouchDB replicating the records bench_sync's hub ingests
// (make bench-peers): N village-group records, one document each, written into
// a LevelDB-backed PouchDB (not timed), then replicated local→local and over
// HTTP on loopback (express-pouchdb, LevelDB behind it).  Prints docs/s.
//
//   node bench_peers.js DIR [N]
'use strict';
const PouchDB = require('pouchdb');
const express = require('express');
const expressPouch = require('express-pouchdb');

const dir = process.argv[2];
const n = Number(process.argv[3] || 10000);
const township = '110101001';
const pad = (v, w) => String(v).padStart(w, '0');

// the rows of bench_sync's s_row: "VILLAGE/NN", village, "group X"
function docs() {
  const out = [];
  for (let x = 0; x < n; x++) {
    const village = township + pad(Math.floor(x / 99) % 999 + 1, 3);
    out.push({ _id: village + '/' + pad(x % 99 + 1, 2), village, name: 'group ' + x });
  }
  return out;
}

async function timed(what, fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const written = r.docs_written;
  console.log(`pouchdb ${what}: ${written} docs in ${ms.toFixed(0)} ms: ${(written * 1000 / ms).toFixed(0)} docs/s`);
  return written * 1000 / ms;
}

(async () => {
  const P = PouchDB.defaults({ prefix: dir + '/' });
  const src = new P('src');
  const all = docs();
  for (let i = 0; i < all.length; i += 1000)
    await src.bulkDocs(all.slice(i, i + 1000));
  const local = await timed('local->local', () => P.replicate(src, new P('dst')));

  const app = express();
  const Remote = PouchDB.defaults({ prefix: dir + '/http-' });
  app.use('/', expressPouch(Remote, { mode: 'minimumForPouchDB', inMemoryConfig: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  const url = `http://127.0.0.1:${server.address().port}/remote`;
  const http = await timed('over HTTP on loopback', () => P.replicate(src, url));
  server.close();
  console.log(`pouchdb_local_docs_s=${local.toFixed(0)} pouchdb_http_docs_s=${http.toFixed(0)}`);
  process.exit(0);
})().catch((e) => { console.error('bench_peers:', e); process.exit(1); });

// Runs Ace by DAISY on many EPUB files in one Node process with one browser: each check is
// the command line's own (`ace-cli -f -s -o OUTDIR BOOK`: ace-core with the puppeteer axe
// runner, silent, writing OUTDIR/report.json), without starting Node, loading Ace and
// launching Chromium for every book.
// Usage: node ace-server.js ACE_CLI (the folder of the installed @daisy/ace-cli package; its
// own modules are loaded as it would load them).
// Reads one request per line on standard input: BOOK<TAB>OUTDIR<TAB>TMPDIR (TMPDIR: where the
// book is unpacked, ace-cli's --tempdir). For each, writes on standard output "@@ace DONE 0",
// or "@@ace DONE 1 <message>" when Ace failed; other lines there are Ace's own.
// Used by converter/check/ace.py, which keeps it open for a whole session.
'use strict';

const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const fromCli = createRequire(path.join(process.argv[2], 'package.json'));
const fromShared = createRequire(fromCli.resolve('@daisy/ace-cli-shared'));
const ace = fromShared('@daisy/ace-core');
const logger = fromShared('@daisy/ace-logger');
const axeRunner = fromCli('@daisy/ace-axe-runner-puppeteer');

const MARK = '@@ace ';
logger.initLogger({ verbose: false, silent: true, fileName: 'ace-cli.log' });

// Ace launches its runner before each book and closes it after: here the browser is
// launched once and kept (a page per document, as Ace itself does).
let launched = null;
const runner = Object.assign({}, axeRunner, {
  launch: () => {
    launched = launched || axeRunner.launch();
    return launched;
  },
  close: () => Promise.resolve(),
});

async function check(line) {
  const [book, outdir, tmpdir] = line.split('\t');
  if (!book || !outdir || !tmpdir) return '1 not a request: BOOK<TAB>OUTDIR<TAB>TMPDIR';
  try {
    await ace(book, { cwd: process.cwd(), outdir, tmpdir, silent: true, jobId: '' }, runner);
    return '0';
  } catch (error) {
    const text = String((error && error.message) || error).replace(/\s+/g, ' ');
    return `1 ${text}`;
  }
}

let queue = Promise.resolve();
const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  queue = queue.then(async () => {
    const answer = await check(line);
    process.stdout.write(`${MARK}DONE ${answer}\n`);
  });
});
input.on('close', () => {
  queue.then(async () => {
    if (launched) {
      await launched;
      await axeRunner.close();
    }
    process.exit(0);
  });
});
process.stdout.write(`${MARK}READY\n`);

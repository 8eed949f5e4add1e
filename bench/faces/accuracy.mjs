// Routing accuracy of the whole pipeline over a labelled folder:
//   ROOT/enroll/<person>/*   reference photos, enrolled with `triage person add`
//   ROOT/probe/<person>/*    single-face photos of enrolled persons: should land in faces/<person>/
//   ROOT/probe/_unknown/*    a face of someone not enrolled      } must never land in a person folder
//   ROOT/probe/_group/*      several faces                        }
//   ROOT/probe/_noface/*     no face                              }
// Usage: node bench/faces/accuracy.mjs ROOT [TRIAGE_BIN]   (the folder is never copied into the repository)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.argv[2];
const triage = process.argv[3] || 'build/triage';
if (!root) {
  console.error('usage: node bench/faces/accuracy.mjs ROOT [TRIAGE_BIN]');
  process.exit(2);
}
const lib = mkdtempSync(join(tmpdir(), 'triage-accuracy-'));
const run = (...args) => execFileSync(triage, [...args, '--library', lib], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const dirs = (p) => readdirSync(p).filter((n) => statSync(join(p, n)).isDirectory()).sort();
const files = (p) => readdirSync(p).filter((n) => statSync(join(p, n)).isFile()).sort();

try {
  rmSync(lib, { recursive: true, force: true });
  execFileSync(triage, ['init', '--library', lib], { stdio: 'ignore' });
  const enrolled = [];
  for (const person of dirs(join(root, 'enroll'))) {
    const photos = files(join(root, 'enroll', person)).map((f) => join(root, 'enroll', person, f));
    try {
      run('person', 'add', person, ...photos);
      enrolled.push(person);
    } catch (e) {
      console.log(`enrol ${person}: refused: ${String(e.stderr).trim()}`);
    }
  }
  const t0 = Date.now();
  const counts = { probes: 0, correct: 0, false_sorts: 0, others: 0, other_false: 0 };
  const rest = {};
  const falseSorts = [];
  for (const label of dirs(join(root, 'probe'))) {
    const out = JSON.parse(run('ingest', '--json', '--source', label, join(root, 'probe', label)));
    for (const item of out.items) {
      const path = item.path || `failed: ${item.error}`;
      const inPerson = path.startsWith('faces/');
      const where = inPerson ? 'faces/<person>' : path.split('/').slice(0, 2).join('/');
      if (!label.startsWith('_')) {
        counts.probes++;
        if (path.startsWith(`faces/${label}/`)) counts.correct++;
        else if (inPerson) { counts.false_sorts++; falseSorts.push(`${item.input} -> ${path}`); }
        else rest[`person probe -> ${where}`] = (rest[`person probe -> ${where}`] || 0) + 1;
      } else {
        counts.others++;
        if (inPerson) { counts.other_false++; falseSorts.push(`${item.input} -> ${path}`); }
        rest[`${label} -> ${where}`] = (rest[`${label} -> ${where}`] || 0) + 1;
      }
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`enrolled: ${enrolled.length} persons (${enrolled.join(', ')})`);
  console.log(`correct auto-sorts: ${counts.correct} / ${counts.probes} single-face probes of enrolled persons ` +
              `(${(100 * counts.correct / Math.max(1, counts.probes)).toFixed(1)}%; target >= 90%)`);
  console.log(`false sorts: ${counts.false_sorts + counts.other_false} (wrong person: ${counts.false_sorts}; ` +
              `unknown/group/no-face in a person folder: ${counts.other_false}; target 0)`);
  for (const f of falseSorts) console.log(`  false: ${f}`);
  console.log('where the rest went:');
  for (const [k, v] of Object.entries(rest).sort()) console.log(`  ${k}: ${v}`);
  console.log(`ingest time: ${seconds.toFixed(1)} s for ${counts.probes + counts.others} probes`);
} finally {
  rmSync(lib, { recursive: true, force: true });
}

// A link to a photo in review ("#/review/unidentified?item=61&at=140", what the address says as each card shows)
// against a real `triage serve` in headless Chromium, on a queue of three pages: the photo is found however far it
// moved since the link was made (a bulk delete in another tab moves every later photo up by as many places).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openLibrary, closeLibrary, logIn, currentCardId } from './harness.mjs';

const PHOTOS = 110;   // more than two pages of the one-by-one view (50 a page)
let lib; let page;

// A PNG of `width` x `height` RGB noise drawn from `seed`: distinct pictures, none a near duplicate of another.
function noisePng(width, height, seed) {
  let state = seed * 2654435761 % 4294967296 || 1;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let i = 0; i < raw.length; i++) {
    state = (state * 1664525 + 1013904223) % 4294967296;
    raw[i] = i % (width * 3 + 1) === 0 ? 0 : state >>> 24;   // filter byte 0 ("none") opens each row
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4);
  header[8] = 8; header[9] = 2;   // 8 bits per channel, RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

before(async () => {
  lib = await openLibrary({
    extra: (inbox) => {
      for (let i = 1; i <= PHOTOS; i++) {
        fs.writeFileSync(path.join(inbox, `noise_${String(i).padStart(3, '0')}.png`), noisePng(96, 72, i));
      }
    },
  });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

test('a link finds its photo after it moved two pages up the queue, or with no place given', async () => {
  const queue = await lib.api('/api/review/queue/unidentified?per_page=200&page=1');
  assert.equal(queue.total, PHOTOS);
  const target = queue.items[40];   // 41st in the queue
  for (const address of [`#/review/unidentified?item=${target.id}&at=140`, `#/review/unidentified?item=${target.id}`]) {
    await page.goto(`/${address}`);
    await page.reload();   // a fresh start of the app on that address, as a bookmark or a reload gives
    assert.equal(await currentCardId(page), target.id, address);
    await page.waitForFunction((id) => location.hash === `#/review/unidentified?item=${id}&at=41`, target.id);
    assert.equal(await page.getByTestId('toast-text').filter({ hasText: 'no longer waits' }).count(), 0, address);
  }
});

// A build step: next to every emitted text file of 1 kB or more, its gzip (level 9) and brotli
// (quality 11) forms, written once here so the server never compresses per request. Both are
// deterministic (gzip's header carries no time or name), so a rebuild gives the same bytes and
// `cargo xtask check-assets` can compare them with the committed ones.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** Below this a compressed copy saves less than a network packet. */
const MIN_BYTES = 1024
const TEXT = /\.(html|js|css|svg|json)$/

export const gzip = (bytes) => gzipSync(bytes, { level: 9 })
export const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  })

export default function precompress() {
  return {
    name: 'dorameter-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const [fileName, output] of Object.entries(bundle)) {
        if (!TEXT.test(fileName)) continue
        const bytes = Buffer.from(output.type === 'chunk' ? output.code : output.source)
        if (bytes.length < MIN_BYTES) continue
        const path = join(options.dir, fileName)
        writeFileSync(`${path}.gz`, gzip(bytes))
        writeFileSync(`${path}.br`, brotli(bytes))
      }
    },
  }
}

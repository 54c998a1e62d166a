import type { SentryDebugImage, SentryFrame } from '../sentry/schemas.js'

/**
 * Where a native frame is: its instruction address and the binary (debug image) it lies in, the
 * way Sentry's own stack trace view places frames that have no symbol. Pure.
 *
 * Sentry sends addresses as hex strings (`0x000000019060959c`, zero-padded to the widest address
 * of the stack trace); raw events may hold numbers. Only what passes `^0x[0-9a-f]{1,16}$` (after
 * lower-casing) or is a non-negative safe integer is an address; anything else is dropped, so an
 * address is safe to render in a code span as it is. Names (the frame's `package`, an image's
 * `code_file`) are untrusted text: this module only reduces them to their file name, and the
 * renderer escapes them.
 */

/** An address: its text as we render it (`0x…`, lower case) and its value. */
export interface Address {
  text: string
  value: bigint
}

/** What a frame without a symbol can show: its address, and the binary it is in. */
export interface NativePlace {
  /** The absolute instruction address, when known. */
  address?: Address | undefined
  /** The file name of the binary (untrusted text, not escaped). */
  image?: string | undefined
  /** The offset into that binary (`0x…`), when its load address is known. */
  offset?: string | undefined
}

const HEX_ADDRESS = /^0x[0-9a-f]{1,16}$/u

/** A validated address, or undefined for anything that is not one. */
export function parseAddress(raw: string | number | null | undefined): Address | undefined {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) return undefined
    const text = `0x${raw.toString(16)}`
    return { text, value: BigInt(raw) }
  }
  if (typeof raw !== 'string') return undefined
  const text = raw.toLowerCase()
  if (!HEX_ADDRESS.test(text)) return undefined
  return { text, value: BigInt(text) }
}

/** An image size in bytes: a non-negative safe integer, or a decimal or hex string. */
function parseSize(raw: string | number | null | undefined): bigint | undefined {
  if (typeof raw === 'string' && /^[0-9]{1,20}$/u.test(raw)) return BigInt(raw)
  return parseAddress(raw)?.value
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`
}

/**
 * The file name of a path: `/usr/lib/system/libdyld.dylib` → `libdyld.dylib`,
 * `/System/Library/Frameworks/UIKit.framework/UIKit` → `UIKit`, `C:\Windows\System32\ntdll.dll`
 * → `ntdll.dll`. A name without separators is its own file name; '' when nothing is left.
 */
export function fileName(path: string | null | undefined): string {
  if (!path) return ''
  const parts = path.split(/[/\\]/u).filter((p) => p.trim() !== '')
  return (parts[parts.length - 1] ?? '').trim()
}

interface Image {
  name: string
  start: bigint | undefined
  end: bigint | undefined
}

/** The event's images, each with its file name and address range (when both ends are valid). */
export function readImages(images: ReadonlyArray<SentryDebugImage | null>): Array<Image | null> {
  return images.map((image) => {
    if (!image) return null
    const start = parseAddress(image.imageAddr)?.value
    const size = parseSize(image.imageSize)
    const end = start !== undefined && size !== undefined && size > 0n ? start + size : undefined
    return { name: fileName(image.codeFile), start, end }
  })
}

/**
 * The image whose range holds `address`. Sentry's samples hold overlapping ranges (sizes that
 * run to the end of the address space), so the image that starts nearest below wins.
 */
function imageAt(images: ReadonlyArray<Image | null>, address: bigint): Image | undefined {
  let best: Image | undefined
  for (const image of images) {
    if (!image || image.start === undefined || image.end === undefined) continue
    if (address < image.start || address >= image.end) continue
    if (best?.start === undefined || image.start > best.start) best = image
  }
  return best
}

/**
 * Where a frame is: its absolute address and the image that holds it, with the offset into the
 * image. `addrMode: rel:N` makes the address an offset into the N-th image. Without a matching
 * image, the frame's own `package` names the binary (with an offset when an older SDK sent the
 * frame's `imageAddr`). Returns an empty place when nothing is known.
 */
export function placeFrame(frame: SentryFrame, images: ReadonlyArray<Image | null>): NativePlace {
  const raw = parseAddress(frame.instructionAddr)
  const mode = frame.addrMode ?? 'abs'
  const packageName = fileName(frame.package)
  if (mode === 'abs') {
    if (!raw) return packageName === '' ? {} : { image: packageName }
    const image = imageAt(images, raw.value)
    if (image && image.start !== undefined && image.name !== '') {
      return { address: raw, image: image.name, offset: hex(raw.value - image.start) }
    }
    const frameImage = parseAddress(frame.imageAddr)?.value
    if (packageName !== '' && frameImage !== undefined && frameImage <= raw.value) {
      return { address: raw, image: packageName, offset: hex(raw.value - frameImage) }
    }
    return packageName === '' ? { address: raw } : { address: raw, image: packageName }
  }
  const index = /^rel:([0-9]{1,6})$/u.exec(mode)?.[1]
  const image = index === undefined ? undefined : images[Number(index)]
  if (!raw || !image || image.name === '') return packageName === '' ? {} : { image: packageName }
  const absolute = image.start === undefined ? undefined : image.start + raw.value
  return {
    address:
      absolute === undefined || absolute >= 1n << 64n
        ? undefined
        : { text: hex(absolute), value: absolute },
    image: image.name,
    offset: raw.text
  }
}

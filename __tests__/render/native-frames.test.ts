import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { renderEventSection, type EventRenderOptions } from '../../src/render/event.js'
import { fileName, parseAddress } from '../../src/render/native.js'
import { sentryEventSchema, type SentryEvent } from '../../src/sentry/schemas.js'
import { EXAMPLES } from '../fixtures/events.js'
import {
  ADDRESS_SPANS,
  codeSpans,
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  markdownViolations,
  renderedText,
  stripCodeSpans,
  textHazards
} from '../fixtures/hostile-strings.js'
import {
  ANDROID_NDK,
  IOS,
  NATIVE_FIXTURES,
  NDK_ADDRESSES,
  NDK_IMAGES,
  NON_NATIVE_FIXTURES,
  WINDOWS_MINIDUMP,
  apiFrame,
  renamed
} from '../fixtures/native-events.js'

const opts: EventRenderOptions = { maxFrames: 20 }
const check = { codeSpans: ADDRESS_SPANS }

/** The list items of the stack trace (one per frame, without their source blocks). */
function frameLines(section: string): string[] {
  const start = section.indexOf('<summary>')
  const end = section.indexOf('</details>')
  return section
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('- '))
}

/** The event `raw` with `extra` fields, its exception's frames replaced by `frames`. */
function withFrames(
  base: Record<string, unknown>,
  frames: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {}
): SentryEvent {
  const raw = structuredClone({ ...base, ...extra })
  const entries = raw['entries'] as Array<{ type: string; data: Record<string, unknown> }>
  const exception = entries.find((e) => e.type === 'exception')
  if (!exception) throw new Error('no exception entry')
  const values = exception.data['values'] as Array<Record<string, unknown>>
  values[0] = { ...values[0], stacktrace: { frames } }
  return sentryEventSchema.parse(raw)
}

/** `raw` without its `debugmeta` entry. */
function withoutDebugMeta(raw: Record<string, unknown>): Record<string, unknown> {
  const entries = raw['entries'] as Array<{ type: string }>
  return { ...raw, entries: entries.filter((e) => e.type !== 'debugmeta') }
}

describe('an Android NDK crash without symbols', () => {
  const section = renderEventSection(ANDROID_NDK.event, opts)
  const lines = frameLines(section)

  it('shows every frame by its address, none as an unknown frame', () => {
    expect(lines).toHaveLength(20)
    expect(section).not.toContain('unknown frame')
    for (const address of NDK_ADDRESSES) {
      expect(lines.filter((l) => l.startsWith(`- \`${address}\``))).toHaveLength(1)
    }
  })

  it('names the image that holds each address, with the offset into it', () => {
    expect(lines).toContain('- `0x76e2a99f5c` in libnotes-core.so + `0x19f5c`')
    expect(lines).toContain('- `0x7a41c6a1d8` in libc.so + `0x5a1d8`')
    expect(lines).toContain('- `0x7a1e8f3c44` in libart.so + `0x2f3c44`')
    // Every offset is the address minus the start of the image named.
    const starts = new Map(NDK_IMAGES.map((i) => [fileName(i.code_file), BigInt(i.image_addr)]))
    let placed = 0
    for (const line of lines) {
      const m = /^- `(0x[0-9a-f]+)` in (\S+) \+ `(0x[0-9a-f]+)`$/.exec(line)
      if (!m) continue
      placed++
      const [, address, image, offset] = m
      expect(BigInt(address!) - starts.get(image!.replaceAll('\\', ''))!).toBe(BigInt(offset!))
    }
    expect(placed).toBe(18)
  })

  it('shows an address outside every image alone', () => {
    expect(lines).toContain('- `0x00713c9a40`')
    expect(lines).toContain('- `0x00713d0e8c`')
  })

  it("keeps the app's own frames first, innermost last, and the section safe", () => {
    expect(section).toContain(
      '**In-app frames**\n\n- `0x76e2a9c7e8` in libnotes-core.so + `0x1c7e8`\n' +
        '- `0x76e2a9b3a4` in libnotes-core.so + `0x1b3a4`\n' +
        '- `0x76e2a9a1f0` in libnotes-core.so + `0x1a1f0`\n' +
        '- `0x76e2a99f5c` in libnotes-core.so + `0x19f5c`\n\n**Other frames**'
    )
    expect(markdownViolations(section, check)).toEqual([])
    // Every code span of the frame lines is one of our validated addresses.
    const spans = lines.flatMap((l) => codeSpans(l))
    expect(spans.length).toBeGreaterThan(0)
    for (const span of spans) expect(span).toMatch(/^0x[0-9a-f]{1,16}$/)
  })

  it('respects max-frames with address frames like any other', () => {
    const short = renderEventSection(ANDROID_NDK.event, { maxFrames: 5 })
    expect(frameLines(short)).toHaveLength(5)
    expect(short).toContain('_15 more frames not shown \\(max-frames is 5\\)._')
  })

  it('without debug images, still shows the addresses', () => {
    const bare = sentryEventSchema.parse(withoutDebugMeta(ANDROID_NDK.raw))
    const bareLines = frameLines(renderEventSection(bare, opts))
    expect(bareLines).toHaveLength(20)
    expect(bareLines).toContain('- `0x7a41c6a1d8`')
    expect(bareLines.every((l) => /^- `0x[0-9a-f]+`$/.test(l))).toBe(true)
  })
})

describe('an iOS crash', () => {
  const section = renderEventSection(IOS.event, opts)
  const lines = frameLines(section)

  it('names the library of each system frame beside its function', () => {
    expect(lines).toContain('- **start** in libdyld.dylib')
    expect(lines).toContain('- **UIApplicationMain** in UIKit')
    expect(lines).toContain('- **GSEventRunModal** in GraphicsServices')
    expect(lines).toContain('- **CFRunLoopRunSpecific** in CoreFoundation')
    expect(lines.filter((l) => l.endsWith(' in UIKit'))).toHaveLength(2)
  })

  it("does not name the app's own binary on in-app frames, and keeps their files and code", () => {
    expect(lines.slice(0, 3)).toEqual([
      '- **main** in AppDelegate.swift:14',
      '- **ViewController.didTapSave\\(\\_:\\)** in ViewController.swift:88',
      '- **NoteStore.save\\(\\_:\\)** in NoteStore.swift:41'
    ])
    expect(section).toContain('  ```swift\n  cache[note.id]!.append(note)\n  ```')
    expect(section).not.toContain('Notes.app')
  })

  it('places a system frame without a symbol by its address in its library', () => {
    expect(lines).toContain('- `0x00000001a1f9c6ec` in CoreFoundation + `0x686ec`')
    expect(markdownViolations(section, check)).toEqual([])
  })

  it('names the library from the debug images when a system frame has no package', () => {
    const frames = [apiFrame({ function: 'objc_msgSend', instructionAddr: '0x00000001b2f20010' })]
    expect(frameLines(renderEventSection(withFrames(IOS.raw, frames), opts))).toEqual([
      '- **objc\\_msgSend** in libdyld.dylib'
    ])
  })

  it('a native frame with both a file and a library shows the library after the file', () => {
    const frames = [
      apiFrame({
        function: 'swift_once',
        filename: 'Once.cpp',
        lineNo: 7,
        package: '/usr/lib/swift/libswiftCore.dylib'
      })
    ]
    expect(frameLines(renderEventSection(withFrames(IOS.raw, frames), opts))).toEqual([
      '- **swift\\_once** in Once.cpp:7 \\(libswiftCore.dylib\\)'
    ])
  })
})

describe('a Windows minidump', () => {
  const section = renderEventSection(WINDOWS_MINIDUMP.event, opts)
  const lines = frameLines(section)

  it("shows the crashed thread's stack, system DLLs by their file names", () => {
    expect(lines).toEqual([
      '- **main** in main.cpp:42',
      '- **Renderer::drawFrame\\(Scene const &amp;\\)** in renderer.cpp:217',
      '- **RtlUserThreadStart** in ntdll.dll',
      '- **BaseThreadInitThunk** in kernel32.dll',
      '- `0x00007ffc9d9a41c0` in gfxumd64.dll + `0x5a41c0`',
      '- `0x00007ffc9d7f0e33` in gfxumd64.dll + `0x3f0e33`',
      '- `0x0000021f4a7c0f10`'
    ])
    expect(markdownViolations(section, check)).toEqual([])
  })
})

describe('event shapes', () => {
  it('reads snake_case frame keys and a raw event’s top-level debug_meta', () => {
    const frames = [
      { instruction_addr: '0x7a41c6a1d8' },
      { instruction_addr: '0x7a1e8f3c44', addr_mode: 'abs' },
      { instruction_addr: '0x00713c9a40' }
    ]
    const raw = withoutDebugMeta(ANDROID_NDK.raw)
    const event = withFrames(raw, frames, {
      debug_meta: { images: NDK_IMAGES }
    })
    expect(frameLines(renderEventSection(event, opts))).toEqual([
      '- `0x7a41c6a1d8` in libc.so + `0x5a1d8`',
      '- `0x7a1e8f3c44` in libart.so + `0x2f3c44`',
      '- `0x00713c9a40`'
    ])
  })

  it('accepts numbers for addresses and sizes, and upper-case hex', () => {
    const raw = withoutDebugMeta(ANDROID_NDK.raw)
    const images = [{ code_file: '/system/lib64/libm.so', image_addr: 0x1000, image_size: '4096' }]
    const frames = [
      apiFrame({ instructionAddr: 0x1010 }),
      apiFrame({ instructionAddr: '0X1FFF' }),
      apiFrame({ instructionAddr: '0x2000' })
    ]
    const event = withFrames(raw, frames, {
      entries: [...(raw['entries'] as unknown[]), { type: 'debugmeta', data: { images } }]
    })
    expect(frameLines(renderEventSection(event, opts))).toEqual([
      '- `0x1010` in libm.so + `0x10`',
      '- `0x1fff` in libm.so + `0xfff`',
      // The end of the range is outside it.
      '- `0x2000`'
    ])
  })

  it('places an address relative to an image (addrMode rel:N) in that image', () => {
    const frames = [
      apiFrame({ instructionAddr: '0x4f1a4', addrMode: 'rel:1' }),
      apiFrame({ instructionAddr: '0x10', addrMode: 'rel:9' }),
      apiFrame({ instructionAddr: '0x10', addrMode: 'rel:x' })
    ]
    const lines = frameLines(renderEventSection(withFrames(ANDROID_NDK.raw, frames), opts))
    expect(lines).toEqual([
      '- `0x7a41c5f1a4` in libc.so + `0x4f1a4`',
      '- _unknown frame_',
      '- _unknown frame_'
    ])
  })

  it('keeps an image without a start or file in its place for rel:N, and names it when it can', () => {
    const raw = withoutDebugMeta(ANDROID_NDK.raw)
    const images = [null, { code_file: 'app.wasm' }, { image_addr: '0x1000', image_size: 16 }]
    const frames = [
      apiFrame({ instructionAddr: '0x2a', addrMode: 'rel:1' }),
      apiFrame({ instructionAddr: '0x2a', addrMode: 'rel:2' }),
      apiFrame({ instructionAddr: '0x1004' })
    ]
    const event = withFrames(raw, frames, {
      entries: [...(raw['entries'] as unknown[]), { type: 'debugmeta', data: { images } }]
    })
    expect(frameLines(renderEventSection(event, opts))).toEqual([
      '- app.wasm + `0x2a`',
      '- _unknown frame_',
      '- `0x1004`'
    ])
  })

  it('drops whatever is not an address, and shows such a frame as unknown', () => {
    const bad = ['garbage', '0x', '0xZZ', '-0x1', '0x1`@octocat`', '0x' + '1'.repeat(17), 1.5, -1]
    const frames = bad.map((instructionAddr) => apiFrame({ instructionAddr }))
    const section = renderEventSection(withFrames(ANDROID_NDK.raw, frames), opts)
    expect(frameLines(section)).toEqual(bad.map(() => '- _unknown frame_'))
    expect(frameLines(section).join('\n')).not.toContain('`')
  })

  it('uses the frame’s own image address (older Cocoa SDKs) when no debug image holds it', () => {
    const raw = withoutDebugMeta(IOS.raw)
    const frames = [
      apiFrame({
        package: '/usr/lib/system/libsystem_kernel.dylib',
        imageAddr: '0x00000001b8c1c000',
        instructionAddr: '0x00000001b8c1d2a4'
      }),
      apiFrame({ package: '/usr/lib/libobjc.A.dylib', instructionAddr: '0x00000001a0a1b2c4' })
    ]
    expect(frameLines(renderEventSection(withFrames(raw, frames), opts))).toEqual([
      '- `0x00000001b8c1d2a4` in libsystem\\_kernel.dylib + `0x12a4`',
      '- `0x00000001a0a1b2c4` in libobjc.A.dylib'
    ])
  })

  it('reads older Apple images that name their file in `name`', () => {
    const raw = withoutDebugMeta(IOS.raw)
    const images = [
      {
        type: 'apple',
        name: '/System/Library/Frameworks/Foundation.framework/Foundation',
        image_addr: '0x0000000190000000',
        image_size: 65536
      }
    ]
    const event = withFrames(raw, [apiFrame({ instructionAddr: '0x0000000190000100' })], {
      entries: [...(raw['entries'] as unknown[]), { type: 'debugmeta', data: { images } }]
    })
    expect(frameLines(renderEventSection(event, opts))).toEqual([
      '- `0x0000000190000100` in Foundation + `0x100`'
    ])
  })

  it('picks the image that starts nearest below an address when ranges overlap', () => {
    const raw = withoutDebugMeta(IOS.raw)
    const images = [
      { code_file: '/usr/lib/huge.dylib', image_addr: '0x1000', image_size: 0xffff_0000 },
      { code_file: '/usr/lib/inner.dylib', image_addr: '0x8000', image_size: 0x100 },
      { code_file: '/usr/lib/empty.dylib', image_addr: '0x9000', image_size: 0 }
    ]
    const frames = ['0x8010', '0x9010', '0x2000'].map((a) => apiFrame({ instructionAddr: a }))
    const event = withFrames(raw, frames, {
      entries: [...(raw['entries'] as unknown[]), { type: 'debugmeta', data: { images } }]
    })
    expect(frameLines(renderEventSection(event, opts))).toEqual([
      '- `0x8010` in inner.dylib + `0x10`',
      '- `0x9010` in huge.dylib + `0x8010`',
      '- `0x2000` in huge.dylib + `0x1000`'
    ])
  })

  it('shows the symbol of a frame without a function', () => {
    const frames = [apiFrame({ symbol: '_ZN5notes5Store4saveEv', instructionAddr: '0x7a41c6a1d8' })]
    expect(frameLines(renderEventSection(withFrames(ANDROID_NDK.raw, frames), opts))).toEqual([
      '- **\\_ZN5notes5Store4saveEv** in libc.so'
    ])
  })
})

describe('non-native events render as before', () => {
  it('.NET: assembly names in `package` stay out of the frames', () => {
    const section = renderEventSection(NON_NATIVE_FIXTURES[0]![1].event, opts)
    expect(frameLines(section)).toEqual([
      '- **MoveNext** in NotesController.cs:57:13',
      '- **Dispatch** in System.Threading.ThreadPoolWorkQueue',
      '- **ProcessRequestAsync** in Microsoft.AspNetCore.Hosting.HostingApplication'
    ])
    expect(section).not.toContain('Version=')
  })

  it('java: frames by function, file and line', () => {
    expect(frameLines(renderEventSection(NON_NATIVE_FIXTURES[1]![1].event, opts))).toEqual([
      '- **onClick** in SaveButton.java:33',
      '- **run** in Thread.java:1583',
      '- **performClick** in View.java:7659'
    ])
  })

  /** `raw` with a `package` on every frame and a `debugmeta` entry that covers everything. */
  function withNativeNoise(raw: Record<string, unknown>): SentryEvent {
    const copy = structuredClone(raw)
    const entries = copy['entries'] as Array<{ type: string; data: Record<string, unknown> }>
    for (const entry of entries) {
      for (const value of (entry.data['values'] ?? []) as Array<Record<string, unknown>>) {
        const stack = value['stacktrace'] as { frames: Array<Record<string, unknown>> } | null
        for (const frame of stack?.frames ?? []) frame['package'] = '/usr/lib/libnoise.so'
      }
    }
    entries.push({
      type: 'debugmeta',
      data: {
        images: [{ code_file: '/usr/lib/libnoise.so', image_addr: '0x0', image_size: 2 ** 52 }]
      }
    })
    return sentryEventSchema.parse(copy)
  }

  it.each([
    ...EXAMPLES.map(([n, e]) => [n, e.rawEvent] as const),
    ...NON_NATIVE_FIXTURES.map(([n, f]) => [n, f.raw] as const)
  ])('%s: a package on every frame and debug images change nothing', (_name, raw) => {
    const plain = renderEventSection(sentryEventSchema.parse(raw), opts)
    expect(renderEventSection(withNativeNoise(raw), opts)).toBe(plain)
    expect(plain).not.toContain('libnoise')
  })
})

describe('hostile library names', () => {
  const HOSTILE_NAME =
    '@octocat <img src=x onerror=alert(1)> [click](javascript:alert) #12 `x` www.evil.example'

  it.each(NATIVE_FIXTURES)('%s: escaped wherever they appear', (_name, fixture) => {
    const section = renderEventSection(renamed(fixture, (p) => `${p}/${HOSTILE_NAME}`).event, opts)
    expect(markdownViolations(section, check)).toEqual([])
    for (const line of frameLines(section)) {
      const text = renderedText(stripCodeSpans(line.replace(ADDRESS_SPANS, ' ')))
      expect(textHazards(text)).toEqual([])
      expect(line).not.toContain('<')
      expect(line).not.toContain('](')
    }
    // The names did reach the frames (escaped): the test is not vacuous.
    expect(section.replaceAll('\u200B', '')).toContain('octocat')
  })

  it.each(HOSTILE_STRINGS.map((h) => [h.name, h.value] as const))(
    '%s as every path',
    (_n, value) => {
      for (const [, fixture] of NATIVE_FIXTURES) {
        const section = renderEventSection(renamed(fixture, () => value).event, opts)
        expect(markdownViolations(section, check)).toEqual([])
        expect(section.length).toBeLessThan(60_000)
      }
    }
  )
})

// ---------------------------------------------------------------------------------------------
// Properties

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 25 }),
  fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.value.length < 2_000).map((h) => h.value))
)
const hexAddress = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => `0x${n.toString(16)}`)
const addressArb = fc.oneof(
  hexAddress,
  fc.integer({ min: -5, max: 2 ** 40 }),
  hostileText,
  hexAddress.chain((a) => hostileText.map((t) => a + t)),
  fc.constant(null)
)
const nativeFrameArb = fc.record({
  function: fc.option(hostileText),
  symbol: fc.option(hostileText),
  package: fc.option(
    fc.oneof(
      hostileText,
      hostileText.map((t) => `/usr/lib/${t}`)
    )
  ),
  filename: fc.option(hostileText),
  lineNo: fc.option(fc.integer({ min: 0, max: 100_000 })),
  inApp: fc.option(fc.boolean()),
  platform: fc.option(fc.constantFrom('native', 'cocoa', 'javascript')),
  instructionAddr: addressArb,
  imageAddr: fc.option(hexAddress),
  addrMode: fc.option(fc.oneof(fc.constantFrom('abs', 'rel:0', 'rel:1', 'rel:7'), hostileText))
})
const imageArb = fc.record({
  code_file: fc.option(
    fc.oneof(
      hostileText,
      hostileText.map((t) => `C:\\Windows\\${t}`)
    )
  ),
  image_addr: fc.option(addressArb),
  image_size: fc.option(fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), hostileText))
})

describe('properties', () => {
  it('native frames are safe for any addresses, packages and images; spans hold only addresses', () => {
    fc.assert(
      fc.property(
        fc.array(nativeFrameArb, { maxLength: 10 }),
        fc.array(fc.option(imageArb), { maxLength: 4 }),
        fc.constantFrom('native', 'cocoa', 'javascript'),
        (frames, images, platform) => {
          const raw = withoutDebugMeta(ANDROID_NDK.raw)
          const event = withFrames(
            raw,
            frames.map((f) => apiFrame(f)),
            {
              platform,
              entries: [...(raw['entries'] as unknown[]), { type: 'debugmeta', data: { images } }]
            }
          )
          const section = renderEventSection(event, opts)
          expect(markdownViolations(section, check)).toEqual([])
          for (const span of section.matchAll(ADDRESS_SPANS)) {
            expect(parseAddress(span[0].slice(1, -1))?.text).toBe(span[0].slice(1, -1))
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

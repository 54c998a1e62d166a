import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { parseCodeMappings } from '../../src/inputs/formats/code-mappings.js'
import {
  createCodeLinker,
  isCommitSha,
  type CodeLinkerOptions
} from '../../src/render/code-links.js'
import { HOSTILE_FRAGMENTS } from '../fixtures/hostile-strings.js'

const SHA = '3f2c9e1d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e'

function linker(mappings: string, extra: Partial<CodeLinkerOptions> = {}) {
  const parsed = parseCodeMappings(mappings)
  expect(parsed.problems).toEqual([])
  return createCodeLinker({
    mappings: parsed.mappings,
    serverUrl: 'https://github.com',
    owner: 'acme',
    repo: 'shop',
    ...extra
  })
}

describe('CodeLinker', () => {
  const links = linker(
    'app:///src/ => web/src/\n/srv/app/ => backend/\n/srv/app/vendor/ => third_party/'
  )

  it('maps absPath (or filename) under a stack root to a blob URL with a line anchor', () => {
    expect(
      links.link({ absPath: 'app:///src/components/UserCard.tsx', lineNo: 18, inApp: true })
    ).toBe('https://github.com/acme/shop/blob/HEAD/web/src/components/UserCard.tsx#L18')
    expect(links.link({ filename: '/srv/app/app/views/users.py', lineNo: 42 })).toBe(
      'https://github.com/acme/shop/blob/HEAD/backend/app/views/users.py#L42'
    )
    expect(links.link({ absPath: 'https://cdn/x.js', filename: '/srv/app/a.py' })).toBe(
      'https://github.com/acme/shop/blob/HEAD/backend/a.py'
    )
    expect(links.repoPath({ absPath: 'app:///src/a/b.ts' })).toBe('web/src/a/b.ts')
  })

  it('pins the link to the release when it is a commit SHA, else the default branch', () => {
    const frame = { absPath: 'app:///src/a.ts', lineNo: 3 }
    expect(links.link(frame, SHA)).toBe(`https://github.com/acme/shop/blob/${SHA}/web/src/a.ts#L3`)
    expect(links.link(frame, 'abc1234')).toContain('/blob/abc1234/')
    expect(links.link(frame, 'web@2.1.0')).toContain('/blob/HEAD/')
    expect(links.link(frame, 'abc123')).toContain('/blob/HEAD/')
    expect(links.link(frame, `${SHA}0`)).toContain('/blob/HEAD/')
    const main = linker('app:///src/ => web/', { defaultBranch: 'release/2026 (q4)' })
    expect(main.link(frame, null)).toBe(
      'https://github.com/acme/shop/blob/release/2026%20%28q4%29/web/a.ts#L3'
    )
    expect(isCommitSha('ABCDEF1')).toBe(true)
    expect(isCommitSha('abcdefg')).toBe(false)
  })

  it('uses the GHES server URL and its path', () => {
    const ghes = linker('/srv/ => ', { serverUrl: 'https://ghe.example.com/' })
    expect(ghes.link({ absPath: '/srv/a.py', lineNo: 1 })).toBe(
      'https://ghe.example.com/acme/shop/blob/HEAD/a.py#L1'
    )
    expect(() => linker('', { serverUrl: 'javascript:alert(1)' })).toThrow(TypeError)
    expect(() => linker('', { serverUrl: 'https://u:p@ghe.example.com' })).toThrow(TypeError)
    expect(() => linker('', { owner: 'a/b' })).toThrow(TypeError)
  })

  it('prefers the longest matching stack root, and matches whole path segments', () => {
    expect(links.repoPath({ absPath: '/srv/app/vendor/lib.py' })).toBe('third_party/lib.py')
    const noSlash = linker('/srv/app => backend/')
    expect(noSlash.repoPath({ absPath: '/srv/app/x.py' })).toBe('backend/x.py')
    expect(noSlash.repoPath({ absPath: '/srv/app2/x.py' })).toBeUndefined()
  })

  it('never links library frames, unmapped paths, or frames without a path', () => {
    expect(links.link({ absPath: 'app:///src/a.ts', inApp: false })).toBeUndefined()
    expect(links.link({ absPath: 'app:///node_modules/a.js' })).toBeUndefined()
    expect(links.link({})).toBeUndefined()
    expect(links.link({ absPath: 'app:///src/' })).toBeUndefined()
    expect(linker('').link({ absPath: 'app:///src/a.ts' })).toBeUndefined()
  })

  it('refuses paths that climb out of the source root, even encoded', () => {
    for (const absPath of [
      'app:///src/../../etc/passwd',
      'app:///src/a/../../b',
      'app:///src/%2e%2e/secrets',
      'app:///src/%2E%2E/secrets',
      'app:///src/a%2f..%2f..%2fb',
      'app:///src/a%5c..%5cb',
      'app:///src/%zz',
      '/srv/app/../x.py',
      '/srv/app/a\\..\\..\\x.py',
      '/srv/app/a\u0000b.py',
      'app:///src/\uD800.ts'
    ]) {
      expect({ absPath, link: links.link({ absPath }) }).toEqual({ absPath, link: undefined })
    }
  })

  it('drops empty and dot segments, query strings and fragments of URL paths', () => {
    expect(links.repoPath({ absPath: 'app:///src//./a/./b.ts?v=3#x' })).toBe('web/src/a/b.ts')
    // A non-URL path keeps `?` and `#` as part of the name, and percent signs literally.
    expect(links.link({ absPath: '/srv/app/a?b#c%2e%2e.py' })).toBe(
      'https://github.com/acme/shop/blob/HEAD/backend/a%3Fb%23c%252e%252e.py'
    )
  })

  it('percent-encodes every segment, including characters Markdown treats specially', () => {
    const url = links.link({ absPath: "/srv/app/we ird/(a)[b]<c>`d`'e'*f*!|$@#.py", lineNo: 7 })
    expect(url).toBe(
      'https://github.com/acme/shop/blob/HEAD/backend/we%20ird/%28a%29%5Bb%5D%3Cc%3E%60d%60%27e%27%2Af%2A%21%7C%24%40%23.py#L7'
    )
  })

  it('links Windows paths through a Windows stack root', () => {
    const win = linker('C:\\build\\app\\ => src/')
    expect(win.repoPath({ absPath: 'C:\\build\\app\\Controllers\\Home.cs' })).toBe(
      'src/Controllers/Home.cs'
    )
  })

  it('leaves out the line anchor without a positive line number', () => {
    expect(links.link({ absPath: 'app:///src/a.ts', lineNo: 0 })).toBe(
      'https://github.com/acme/shop/blob/HEAD/web/src/a.ts'
    )
    expect(links.link({ absPath: 'app:///src/a.ts', lineNo: 1.5 })).toBe(
      'https://github.com/acme/shop/blob/HEAD/web/src/a.ts'
    )
  })

  it('produces only URLs inside the repository, for any path (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', '%2e%2e', '%2E.', '%2f', '%5c', 'a', '\\', '..\\'),
      fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 6 }),
      fc.string({ unit: 'binary', maxLength: 6 })
    )
    const path = fc
      .tuple(
        fc.constantFrom('app:///src/', '/srv/app/', '/srv/app/vendor/', ''),
        fc.array(segment, { maxLength: 6 })
      )
      .map(([root, parts]) => root + parts.join('/'))
    fc.assert(
      fc.property(
        path,
        fc.option(fc.integer()),
        fc.option(fc.string()),
        (absPath, lineNo, release) => {
          const url = links.link({ absPath, lineNo }, release)
          if (url === undefined) return
          const match =
            /^https:\/\/github\.com\/acme\/shop\/blob\/([^/]+)\/(web\/src|backend|third_party)\/([^#]+)(#L[1-9][0-9]*)?$/.exec(
              url
            )
          expect(match).not.toBeNull()
          for (const part of (match?.[3] ?? '').split('/')) {
            expect(part).toMatch(/^(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})+$/)
            const decoded = decodeURIComponent(part)
            expect(['', '.', '..']).not.toContain(decoded)
            expect(decoded).not.toMatch(/[/\\]/)
          }
          expect(url).not.toMatch(/[\s<>()[\]`'"|$!*]/)
        }
      ),
      { numRuns: 1000 }
    )
  })
})

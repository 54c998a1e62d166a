import { describe, expect, it } from '@jest/globals'

import { parseCodeMappings } from '../../../src/inputs/formats/code-mappings.js'

describe('parseCodeMappings', () => {
  it('reads one mapping a line, ignoring blank and # lines, normalising both sides', () => {
    const { mappings, problems } = parseCodeMappings(
      '# front end\napp:///src/ => web/src\r\n\n  /srv/app/   =>   backend/  \nC:\\build\\app\\ => ./\nwebpack:///./ => .'
    )
    expect(problems).toEqual([])
    expect(mappings).toEqual([
      { stackRoot: 'app:///src/', sourceRoot: 'web/src/' },
      { stackRoot: '/srv/app/', sourceRoot: 'backend/' },
      { stackRoot: 'C:/build/app/', sourceRoot: '' },
      { stackRoot: 'webpack:///./', sourceRoot: '' }
    ])
    expect(parseCodeMappings('')).toEqual({ mappings: [], problems: [] })
  })

  it('names the input and the line in every problem', () => {
    const { problems } = parseCodeMappings(
      [
        'app:///src/',
        'a => b => c',
        ' => web/',
        'app:///x/ => /abs/path',
        'app:///y/ => ../up',
        'app:///z/ => a/./b',
        'app:///q/ => a?b',
        '/srv/ => ok/',
        '/srv/ => again/',
        'x\u0007 => y'
      ].join('\n')
    )
    expect(problems).toHaveLength(9)
    problems.forEach((p) => expect(p).toMatch(/^code-mappings line \d+: /))
    expect(problems[0]).toContain('expected "stack-root => source-root"')
    expect(problems[3]).toContain('source root')
    expect(problems[7]).toContain('mapped twice')
    expect(parseCodeMappings('x', 'my-input').problems[0]).toMatch(/^my-input line 1: /)
  })

  it('limits the number of mappings', () => {
    const text = Array.from({ length: 101 }, (_, i) => `/r${i}/ => s${i}/`).join('\n')
    expect(parseCodeMappings(text).problems).toEqual([
      'code-mappings: at most 100 mappings (got 101)'
    ])
  })
})

import { describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
describe('smoke', () => {
  it('runs on node 24 with ESM', () => {
    expect(process.versions.node.split('.')[0]).toBe('24')
    expect(typeof core.getInput).toBe('function')
  })
})

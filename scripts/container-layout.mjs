// Runs in the Dockerfile's build stage, as root, with nothing but Node: lays out under OUT what
// the final stage copies in, so that stage needs no shell or package manager (any image with
// Node 24 works as the base).
//
//   node container-layout.mjs APP_DIR OUT UID NAME
//
//   OUT/usr/local/lib/sentry-issues-sync/   cli.js, package.json, licenses.txt from APP_DIR
//   OUT/usr/local/bin/sentry-issues-sync    a link to cli.js (its #! line runs node)
//   OUT/etc/passwd, OUT/etc/group           the base image's, plus user and group NAME with UID
//   OUT/state                               the empty state folder (the Dockerfile sets its owner)
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'

const [app, out, uid, name] = process.argv.slice(2)
if (!app || !out || !uid || !/^\d+$/.test(uid) || !name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node container-layout.mjs APP_DIR OUT UID NAME')
  process.exit(2)
}

const lib = path.join(out, 'usr/local/lib/sentry-issues-sync')
mkdirSync(lib, { recursive: true })
for (const file of ['cli.js', 'package.json', 'licenses.txt']) {
  cpSync(path.join(app, file), path.join(lib, file))
}
chmodSync(path.join(lib, 'cli.js'), 0o755)
mkdirSync(path.join(out, 'usr/local/bin'), { recursive: true })
symlinkSync('../lib/sentry-issues-sync/cli.js', path.join(out, 'usr/local/bin/sentry-issues-sync'))

/** Appends `line` to a copy of /etc/FILE unless the name or the id is taken already. */
function addEntry(file, line) {
  const current = existsSync(`/etc/${file}`) ? readFileSync(`/etc/${file}`, 'utf8') : ''
  const entries = current.split('\n').filter((l) => l !== '')
  const taken = entries.find((l) => {
    const fields = l.split(':')
    return fields[0] === name || fields[2] === uid
  })
  if (taken !== undefined) {
    console.error(
      `container-layout: /etc/${file} already has an entry for ${name} or ${uid}: ${taken}`
    )
    process.exit(1)
  }
  mkdirSync(path.join(out, 'etc'), { recursive: true })
  writeFileSync(path.join(out, 'etc', file), [...entries, line, ''].join('\n'))
}
addEntry('passwd', `${name}:x:${uid}:${uid}:${name}:/state:/usr/sbin/nologin`)
addEntry('group', `${name}:x:${uid}:`)

mkdirSync(path.join(out, 'state'), { mode: 0o700 })
console.log(`container-layout: wrote ${out} (user ${name}, ${uid}:${uid})`)

/** A Sentry user as Sentry's user serializer writes it (in members, notes and activities). */
export function sentryUserJson(user: { id: string; name: string; email: string }) {
  return {
    id: user.id,
    name: user.name,
    username: user.email,
    email: user.email,
    avatarUrl: 'https://secure.gravatar.com/avatar/0?s=32&d=mm',
    isActive: true,
    isSuspended: false,
    hasPasswordAuth: true,
    isManaged: false,
    dateJoined: '2021-07-06T21:13:58.375239Z',
    lastLogin: null,
    has2fa: false,
    lastActive: null,
    isSuperuser: false,
    isStaff: false,
    experiments: {},
    emails: [{ id: user.id, email: user.email, is_verified: true }],
    avatar: { avatarType: 'letter_avatar', avatarUuid: null }
  }
}
